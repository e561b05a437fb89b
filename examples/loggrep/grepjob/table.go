package grepjob

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the job's counts as a table: one row per file with a
// matching line, sorted by name, one column per level (the common ones
// first, then any other in order), a total row, a line "N matching lines in
// M of F files", and, if files were skipped (by the job or by [List], in l),
// a line that says how many and why. The output depends only on counts and
// l, so every engine that runs the job prints the same bytes.
func WriteTable(w io.Writer, counts map[Key]int, l Listing) error {
	byFile := map[string]map[string]int{}
	found := map[string]bool{}
	skipped := maps.Clone(l.Skipped)
	if skipped == nil {
		skipped = map[string]int{}
	}
	grepped := len(l.Files)
	for k, n := range counts {
		if k.Skip != "" {
			skipped[k.Skip] += n
			grepped -= n
			continue
		}
		if byFile[k.File] == nil {
			byFile[k.File] = map[string]int{}
		}
		byFile[k.File][k.Level] += n
		found[k.Level] = true
	}
	cols := slices.Clone(levels)
	var extra []string
	for lv := range found {
		if !slices.Contains(levels, lv) {
			extra = append(extra, lv)
		}
	}
	slices.Sort(extra)
	cols = append(cols, extra...)

	names := slices.SortedFunc(maps.Keys(byFile), cmp.Compare)
	width := len("TOTAL")
	for _, name := range names {
		width = max(width, len(name))
	}
	// Numbers align right; names are padded to one width, so that they
	// align left in their right-aligned column.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, vals []int) {
		fmt.Fprintf(tw, "%-*s\t", width, name)
		for _, v := range vals {
			fmt.Fprintf(tw, "%d\t", v)
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "%-*s\t", width, "FILE")
	for _, c := range cols {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw, "TOTAL\t")

	totals := make([]int, len(cols)+1)
	for _, name := range names {
		vals := make([]int, len(cols)+1)
		for i, c := range cols {
			vals[i] = byFile[name][c]
			vals[len(cols)] += vals[i]
			totals[i] += vals[i]
		}
		totals[len(cols)] += vals[len(cols)]
		row(name, vals)
	}
	row("TOTAL", totals)
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%d matching lines in %d of %d files\n",
		totals[len(cols)], len(names), grepped); err != nil {
		return err
	}
	if line := skipLine(skipped); line != "" {
		_, err := fmt.Fprintln(w, line)
		return err
	}
	return nil
}

// skipLine returns "skipped N files: A binary, B symlink", with the reasons
// in lexical order, or "" if none was skipped.
func skipLine(skipped map[string]int) string {
	total := 0
	var parts []string
	for _, why := range slices.Sorted(maps.Keys(skipped)) {
		if n := skipped[why]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%d %s", n, why))
		}
	}
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("skipped %d files: %s", total, strings.Join(parts, ", "))
}
