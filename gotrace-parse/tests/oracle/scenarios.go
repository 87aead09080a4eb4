package main

import (
	"context"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	rtrace "runtime/trace"
	"sync"
	"time"
)

var scenarios = []string{"goroutines", "channels", "mutexes", "syscalls", "gc", "annotations", "iterators", "flightrecorder"}

// generate runs this binary once per scenario and GOMAXPROCS value, each run tracing
// itself into DIR/<scenario>-p<N>.trace.
func generate(dir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for _, s := range scenarios {
		for _, procs := range []int{1, 4} {
			out := filepath.Join(dir, fmt.Sprintf("%s-p%d.trace", s, procs))
			cmd := exec.Command(self, "-scenario", s)
			cmd.Env = append(os.Environ(), fmt.Sprintf("GOMAXPROCS=%d", procs), "GOTRACE_OUT="+out)
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("%s: %w", out, err)
			}
		}
	}
	return nil
}

var sink []byte

func runScenario(name string) {
	f, err := os.Create(os.Getenv("GOTRACE_OUT"))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if name == "flightrecorder" {
		flightRecorder(f)
		return
	}
	if err := rtrace.Start(f); err != nil {
		panic(err)
	}
	defer rtrace.Stop()
	work(name)
}

// flightRecorder keeps a window of recent trace data in memory while goroutines work,
// then writes the window out, as a service would on an incident.
func flightRecorder(f *os.File) {
	fr := rtrace.NewFlightRecorder(rtrace.FlightRecorderConfig{MinAge: 50 * time.Millisecond, MaxBytes: 256 << 10})
	if err := fr.Start(); err != nil {
		panic(err)
	}
	for i := 0; i < 5; i++ {
		work("channels")
		work("mutexes")
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := fr.WriteTo(f); err != nil {
		panic(err)
	}
	fr.Stop()
}

func work(name string) {
	var wg sync.WaitGroup
	switch name {
	case "goroutines":
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.Gosched()
				time.Sleep(time.Microsecond)
			}()
		}
	case "channels":
		ch := make(chan int)
		done := make(chan struct{})
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range ch {
				}
			}()
		}
		go func() {
			for i := 0; i < 2000; i++ {
				ch <- i
			}
			close(ch)
			close(done)
		}()
		<-done
	case "mutexes":
		var mu sync.Mutex
		var rw sync.RWMutex
		n := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 500; j++ {
					mu.Lock()
					n++
					mu.Unlock()
					rw.RLock()
					_ = n
					rw.RUnlock()
				}
			}()
		}
	case "syscalls":
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				p := filepath.Join(os.TempDir(), fmt.Sprintf("gotrace-syscall-%d-%d", os.Getpid(), i))
				for j := 0; j < 50; j++ {
					_ = os.WriteFile(p, []byte("x"), 0o600)
					_, _ = os.ReadFile(p)
				}
				os.Remove(p)
			}(i)
		}
	case "gc":
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 2000; j++ {
					sink = make([]byte, 64<<10)
				}
			}()
		}
		runtime.GC()
	case "iterators":
		// iter.Pull runs the sequence in a coroutine: each next() and the final stop()
		// switch goroutines directly (GoSwitch, GoSwitchDestroy).
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				seq := func(yield func(int) bool) {
					for k := 0; k < 200; k++ {
						if !yield(k) {
							return
						}
					}
				}
				next, stop := iter.Pull(seq)
				for j := 0; j < 100; j++ {
					if _, ok := next(); !ok {
						break
					}
				}
				stop()
			}()
		}
	case "annotations":
		ctx, task := rtrace.NewTask(context.Background(), "outer")
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ctx2, sub := rtrace.NewTask(ctx, "inner")
				rtrace.WithRegion(ctx2, "work", func() {
					rtrace.Logf(ctx2, "iter", "i=%d \"quoted\" é", i)
					time.Sleep(time.Microsecond)
				})
				sub.End()
			}(i)
		}
		wg.Wait()
		task.End()
	}
	wg.Wait()
}
