package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/runtime/graphx"
	v1pb "github.com/apache/beam/sdks/v2/go/pkg/beam/core/runtime/graphx/v1"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/util/protox"
	pipepb "github.com/apache/beam/sdks/v2/go/pkg/beam/model/pipeline_v1"
	"google.golang.org/protobuf/proto"

	"github.com/lullgo/lull/examples/loggrep/grepjob"
)

// buildLoggrep builds examples/loggrep, the in-process command, from its own
// module, and returns the path of the binary.
func buildLoggrep(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "loggrep")
	cmd := exec.Command("go", "build", "-o", bin, "./loggrep")
	cmd.Dir = filepath.Join("..", "..", "..", "examples")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build examples/loggrep: %v\n%s", err, out)
	}
	return bin
}

// loggrep runs the in-process command and returns its stdout.
func loggrep(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("loggrep %q: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

// TestSameAsLoggrep checks that the job on Beam (prism) prints, byte for
// byte, what examples/loggrep prints in-process, in parallel and with
// -sequential, on a generated corpus with a binary file, a symbolic link and
// a line longer than 1 MiB in it.
func TestSameAsLoggrep(t *testing.T) {
	bin := buildLoggrep(t)
	dir := t.TempDir()
	loggrep(t, bin, "-gen", dir, "-size", "2MB", "-files", "30")
	long := "2026-11-25T10:00:00Z ERROR db: " + strings.Repeat("x", 1<<20+100) + " timeout\n"
	for name, body := range map[string]string{
		"sub/long.log": "2026-11-25T10:00:01Z WARN db: connection refused\n" + long,
		"core.bin":     "timeout\x00\x01",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("service-000.log", filepath.Join(dir, "current.log")); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	for _, pattern := range []string{"timeout|refused", "^2026-11-25T10:0", "slow query took [0-9]{4}ms", "no such thing"} {
		want := loggrep(t, bin, "-pattern", pattern, dir)
		if seq := loggrep(t, bin, "-pattern", pattern, "-sequential", dir); seq != want {
			t.Fatalf("%q: loggrep -sequential printed\n%s\nloggrep printed\n%s", pattern, seq, want)
		}
		var stdout, stderr bytes.Buffer
		if code := run(ctx, options{runner: "prism", pattern: pattern, dir: dir}, &stdout, &stderr); code != exitOK {
			t.Fatalf("%q: exit %d: %s", pattern, code, stderr.String())
		}
		if got := stdout.String(); got != want {
			t.Errorf("%q: on Beam\n%s\nin-process\n%s", pattern, got, want)
		}
	}
}

// TestErrorNamesTheFile checks that a file the job cannot read fails the
// pipeline, and that the error names the file.
func TestErrorNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.log"), []byte("timeout\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	job, err := grepjob.New(dir, "timeout")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "counts")
	_, err = grep(context.Background(), "prism", job, []string{"a.log", "gone.log"}, out)
	want := `the pipeline failed: lullbeam: input "gone.log": open ` + filepath.Join(dir, "gone.log") +
		": no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestPipelineProto checks the step every portable runner (Flink, Spark,
// Dataflow) takes before it submits the job, which cannot be run here: the
// pipeline is built and encoded as Beam's model proto, with a Docker
// environment as on a cluster; and the mapper's DoFn decodes from it as a
// worker decodes it, with the job's configuration (Dir and Pattern, carried
// as JSON). prism runs all of this too, and more; this checks it apart.
func TestPipelineProto(t *testing.T) {
	job, err := grepjob.New("/logs", "timeout|refused")
	if err != nil {
		t.Fatal(err)
	}
	for _, output := range []string{"/tmp/counts", "gs://bucket/counts"} {
		p, err := pipeline(job, []string{"a.log"}, output)
		if err != nil {
			t.Fatal(err)
		}
		edges, _, err := p.Build()
		if err != nil {
			t.Fatal(err)
		}
		env, err := graphx.CreateEnvironment(context.Background(), "beam:env:docker:v1",
			func(context.Context) string { return "apache/beam_go_sdk:2.78.0" })
		if err != nil {
			t.Fatal(err)
		}
		model, err := graphx.Marshal(edges, &graphx.Options{Environment: env})
		if err != nil {
			t.Fatal(err)
		}
		var jobs []*grepjob.Job
		for _, tr := range model.GetComponents().GetTransforms() {
			if tr.GetSpec().GetUrn() != graphx.URNParDo {
				continue
			}
			var pd pipepb.ParDoPayload
			if err := proto.Unmarshal(tr.GetSpec().GetPayload(), &pd); err != nil {
				t.Fatal(err)
			}
			var tp v1pb.TransformPayload
			if err := protox.DecodeBase64(string(pd.GetDoFn().GetPayload()), &tp); err != nil || tp.GetEdge() == nil {
				continue // not a Go DoFn
			}
			_, fn, _, _, _, err := graphx.DecodeMultiEdge(tp.GetEdge())
			if err != nil {
				t.Fatalf("%s: %v", tr.GetUniqueName(), err)
			}
			if v := reflect.Indirect(reflect.ValueOf(fn.Recv)); v.Kind() == reflect.Struct {
				if f := v.FieldByName("Mapper"); f.IsValid() {
					if j, ok := f.Interface().(*grepjob.Job); ok {
						jobs = append(jobs, j)
					}
				}
			}
		}
		if len(jobs) != 1 || jobs[0].Dir != "/logs" || jobs[0].Pattern != "timeout|refused" {
			t.Errorf("output %s: decoded jobs %+v, want one with Dir /logs and Pattern timeout|refused", output, jobs)
		}
	}
}
