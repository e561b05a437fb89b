package main

import (
	"flag"
	"log/slog"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"go.uber.org/goleak"
)

// TestMain initializes Beam as main does, and checks that no goroutine
// outlives the tests, but prism's job server (see lullbeam's leak_test.go).
func TestMain(m *testing.M) {
	flag.Parse()
	beamlog.LogLevel = "warn"
	beam.Init()
	slog.SetDefault(slog.New(slog.DiscardHandler)) // prism's logs of the failures tested on purpose
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism/internal/jobservices.(*Server).Serve"))
}
