package impl_test

import (
	"testing"

	"go.uber.org/goleak"
)

// ants starts a default pool with two ticker goroutines when it is imported
// (see STYLE.md §3.1); they belong to the library, not to these tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).purgeStaleWorkers"),
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).ticktock"),
	)
}
