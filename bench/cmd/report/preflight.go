package main

import (
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// gitIgnores reports whether git ignores path, so that writing it leaves
// the checkout clean.
func gitIgnores(path string) bool {
	return exec.Command("git", "check-ignore", "-q", path).Run() == nil
}

// checkRun is -preflight. Before a measuring run it says which files the run
// will write and whether the checkout will show them changed (paths that
// ignored reports false for). It refuses, with an error, a run that writes
// such files while the measured code has uncommitted changes (dirty, see
// machine.Revision): its results would be filed under commit, which is not
// what ran. allowDirty, or a run that writes only ignored files, turns the
// refusal into a warning; the run then records the changes with the commit.
func checkRun(w io.Writer, writes []string, ignored func(string) bool, commit string, dirty []string, allowDirty bool) error {
	var seen []string
	for _, p := range writes {
		if !ignored(p) {
			seen = append(seen, p)
		}
	}
	switch {
	case len(seen) > 0:
		fmt.Fprintf(w, "bench: this run rewrites %s, which git tracks: the checkout will show them changed.\n", strings.Join(seen, ", "))
	case len(writes) > 0:
		fmt.Fprintf(w, "bench: this run writes only %s, which git ignores: the checkout stays as it is.\n", strings.Join(writes, ", "))
	}
	if len(dirty) == 0 {
		fmt.Fprintf(w, "bench: measuring lull at %s.\n", commit)
		return nil
	}
	changes := strings.Join(dirty, ", ")
	if len(seen) > 0 && !allowDirty {
		return fmt.Errorf("refusing to run: uncommitted changes in %s would be measured, and the results filed under %s, which is not what ran. Commit them first, or rerun with ALLOW_DIRTY=1 to record the run as %q",
			changes, commit, commit+" (uncommitted changes in "+changes+")")
	}
	fmt.Fprintf(w, "bench: warning: uncommitted changes in %s; the results will say \"%s (uncommitted changes in %s)\".\n", changes, commit, changes)
	return nil
}
