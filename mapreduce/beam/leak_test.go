package lullbeam_test

import (
	"testing"

	"github.com/lullgo/lull/mapreduce/beam/internal/beamtest"
)

func TestMain(m *testing.M) { beamtest.Main(m) }
