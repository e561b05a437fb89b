package main

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"

	"github.com/schollz/progressbar/v3"

	"github.com/lullgo/lull/examples/loggrep/grepjob"
	"github.com/lullgo/lull/mapreduce"
)

// grepParallel runs the job with mapreduce.Combine: the files are the inputs,
// and each worker takes the next file when it is done with one, so a few
// large files do not leave the other workers idle. bar, if not nil, shows the
// files done. A file's error is returned as the job gave it, naming the file
// (and line), rather than as mapreduce's error, which names the input by its
// index.
func grepParallel(ctx context.Context, job *grepjob.Job, files []string, workers int,
	bar *progressbar.ProgressBar) (map[grepjob.Key]int, error) {
	opts := []mapreduce.Option{mapreduce.WithWorkers(workers)}
	if bar != nil {
		opts = append(opts, mapreduce.WithProgress(func(p mapreduce.Progress) {
			// Called from one goroutine at a time: no lock needed here.
			_ = bar.Set(p.InputsDone)
			if p.Phase == mapreduce.PhaseDone {
				_ = bar.Finish()
			}
		}))
	}
	counts, err := mapreduce.Combine(ctx, slices.Values(files), job.Map, grepjob.Add, opts...)
	if ie, ok := errors.AsType[*mapreduce.InputError](err); ok {
		return nil, ie.Err
	}
	return counts, err
}

// grepSequential runs the same mapper over the files in one loop, folding
// into one map: what Combine does, without the workers.
func grepSequential(ctx context.Context, job *grepjob.Job, files []string) (map[grepjob.Key]int, error) {
	counts := map[grepjob.Key]int{}
	emit := func(k grepjob.Key, v int) { counts[k] = grepjob.Add(counts[k], v) }
	for _, f := range files {
		if err := job.Map(ctx, f, emit); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// newBar returns a progress bar of n files on w if w is a terminal, and nil
// otherwise: a bar in a file or a pipe is noise.
func newBar(w io.Writer, n int) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("grep"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("files"),
		progressbar.OptionShowIts(),
		progressbar.OptionClearOnFinish(),
	)
}
