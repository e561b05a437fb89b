package grepjob

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Listing is what [List] found in a directory: the files the job greps, and
// those it leaves out.
type Listing struct {
	Files   []string       // the regular files, relative to the directory, with slashes, in lexical order
	Bytes   int64          // the total size of Files
	Skipped map[string]int // the files left out, by reason: SkipSymlink, SkipIrregular
}

// List walks dir and returns its regular files, the job's inputs, and counts
// the others by reason: symbolic links (which it does not follow, so a file
// is never counted twice nor read from outside dir) and other files that are
// not regular. dir itself may be a symbolic link to a directory. An error
// names the path that failed.
func List(dir string) (Listing, error) {
	l := Listing{Skipped: map[string]int{}}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return l, err
	}
	if fi, err := os.Stat(root); err != nil {
		return l, err
	} else if !fi.IsDir() {
		return l, fmt.Errorf("%s is not a directory", dir)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err // names path
		}
		switch t := d.Type(); {
		case t.IsDir():
			return nil
		case t&fs.ModeSymlink != 0:
			l.Skipped[SkipSymlink]++
			return nil
		case !t.IsRegular():
			l.Skipped[SkipIrregular]++
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		l.Files = append(l.Files, filepath.ToSlash(rel))
		l.Bytes += info.Size()
		return nil
	})
	return l, err
}
