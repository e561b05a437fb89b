// Package beamtest is the TestMain of this module's test packages, which
// run pipelines on prism.
package beamtest

import (
	"flag"
	"log/slog"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"go.uber.org/goleak"
)

// Main initializes Beam (after the test package's init functions have
// registered their functions, as a program's would), then runs the tests and
// fails if a goroutine outlives them, but for prism's job server: the first
// prism.Execute starts it for the life of the process, by design (every
// pipeline of the process then shares it), and offers no way to stop it.
func Main(m *testing.M) {
	flag.Parse()
	beamlog.LogLevel = "warn" // prism logs every step of a job at info; beam.Init sets it up
	beam.Init()
	// The tests that fail pipelines on purpose would fill the output with
	// prism's logs of the failure; the tests check the error they get.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism/internal/jobservices.(*Server).Serve"))
}
