# The one test command is `make test`: vet and race-test every module, test
# the Apache Beam adapter on prism, then cross-build for ARM and run the
# library's tests (queue, pool, mapreduce) on 32-bit and 64-bit ARM under
# qemu-user (skipped, saying so, where qemu-user-static is absent).
#
# Each module is tested with GOWORK=off, so what is tested is that module's own
# go.mod: the committed go.work (there so `go run ./examples/...` works from the
# root) would unify versions across modules and hide a missing requirement.
MODULES := . bench examples
# The Beam adapter (its own module) is vetted with the others, but tested
# without the race detector: its cold build is the slowest of all (about 3
# minutes on 2 cores, 5 with -race), its code runs one bundle at a time, and
# the library's concurrency is race-tested above. Nor is it cross-built for
# ARM: it is not part of the library.
BEAM := mapreduce/beam
ARM_PKGS := ./queue/... ./pool/... ./mapreduce/... ./internal/...

.PHONY: test vet race beam arm bench bench-idle bench-arm bench-quick demo

test: vet race beam arm

vet:
	@for m in $(MODULES) $(BEAM); do echo "== go vet ($$m)"; (cd $$m && GOWORK=off go vet ./...) || exit 1; done

# .ci/gotest runs go test -v and prints the usual one line per package, plus
# a "== SKIPPED" line with the reason for each test that skipped (the SNMP
# poller's test against net-snmp's snmpd, when snmpd is not installed).
GOTEST := $(CURDIR)/.ci/gotest

race:
	@for m in $(MODULES); do echo "== go test -race ($$m)"; (cd $$m && GOWORK=off $(GOTEST) -race -count=1 ./...) || exit 1; done

beam:
	@echo "== go test ($(BEAM): the Apache Beam adapter, on the prism runner)"
	@cd $(BEAM) && GOWORK=off $(GOTEST) -count=1 ./...

arm:
	@echo "== cross-build: linux/arm (GOARM=7) and linux/arm64"
	@for m in $(MODULES); do (cd $$m && GOWORK=off GOOS=linux GOARCH=arm GOARM=7 CGO_ENABLED=0 go build ./... && GOWORK=off GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build ./...) || exit 1; done
	@if command -v qemu-arm-static >/dev/null && command -v qemu-aarch64-static >/dev/null; then \
		echo "== go test on linux/arm (GOARM=7) under qemu-arm-static"; \
		GOOS=linux GOARCH=arm GOARM=7 CGO_ENABLED=0 GOWORK=off $(GOTEST) -count=1 -exec qemu-arm-static $(ARM_PKGS) || exit 1; \
		echo "== go test on linux/arm64 under qemu-aarch64-static"; \
		GOOS=linux GOARCH=arm64 CGO_ENABLED=0 GOWORK=off $(GOTEST) -count=1 -exec qemu-aarch64-static $(ARM_PKGS) || exit 1; \
	else \
		echo "== SKIPPED: the ARM tests (queue, pool, mapreduce, internal on linux/arm and linux/arm64 under emulation): need qemu-user-static: apt-get install qemu-user-static"; \
	fi

demo:
	go run ./examples/snmppoller

bench bench-idle bench-arm bench-quick:
	$(MAKE) -C bench $@
