package lullbeam_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // textio on local paths
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"

	lullbeam "github.com/lullgo/lull/mapreduce/beam"
)

// Example counts words, with the words mapper and the add combine that
// mapreduce.Combine takes in-process (see funcs_test.go: both are top-level
// functions, registered in init), on prism. The counts come back through a
// text file, as they would from a cluster.
func Example() {
	dir, err := os.MkdirTemp("", "lullbeam")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "counts.txt")

	p, s := beam.NewPipelineWithRoot()
	lines := beam.Create(s, "the cat", "the dog and the cat")
	counts := lullbeam.Combine(s, lines, words, add)
	textio.Write(s, out, beam.ParDo(s, formatSI, counts))
	if _, err := prism.Execute(context.Background(), p); err != nil {
		fmt.Println(err)
		return
	}

	b, err := os.ReadFile(out)
	if err != nil {
		fmt.Println(err)
		return
	}
	got := strings.Fields(string(b))
	slices.Sort(got)
	fmt.Println(got)
	// Output: [and=1 cat=2 dog=1 the=3]
}
