package scan_test

import (
	"context"
	"fmt"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/scan"
	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
	"github.com/lullgo/lull/pool"
)

// ExampleRun polls five simulated agents through a pool of two workers
// that may grow to eight while devices wait.
func ExampleRun() {
	fleet, err := simagent.Start(5, simagent.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fleet.Close()

	p := pool.New(2, pool.WithMaxWorkers(8))
	defer p.Close(context.Background())

	sum := scan.Run(context.Background(), p, fleet.Targets(), 1, poll.GoSNMP(poll.DefaultConfig()), func(r poll.Result) {
		// Called from the workers: one result per device, in any order.
	})
	fmt.Printf("%d devices: %d ok, %d failed, %d varbinds\n", sum.Devices, sum.OK, sum.Failed, sum.Varbinds)
	// Output: 5 devices: 5 ok, 0 failed, 3600 varbinds
}
