// Command gotrace-peer is the Go side of the gotrace benchmarks.
//
//	gotrace-peer gen OUT SIZE_MB   write an execution trace of about SIZE_MB megabytes
//	                               (goroutines, channels, mutexes, syscalls, allocation/GC,
//	                               user annotations; GOMAXPROCS 4)
//	gotrace-peer read FILE         read FILE with golang.org/x/exp/trace's ReadEvent loop
//	                               and print {"events":N,"seconds":S,"cpu_seconds":C,"mb_per_s":X}
//	                               (C: CPU time of all threads, the collector included)
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	rtrace "runtime/trace"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/exp/trace"
)

type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return c.w.Write(p)
}

var sink atomic.Pointer[[]byte]

func gen(out string, sizeMB int64) error {
	runtime.GOMAXPROCS(4)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := &countingWriter{w: bw}
	if err := rtrace.Start(cw); err != nil {
		return err
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	ctx, task := rtrace.NewTask(context.Background(), "bench")
	// Channel ping-pong pairs.
	for i := 0; i < 16; i++ {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				ping <- 1
				<-pong
			}
			close(ping)
		}()
		go func() {
			defer wg.Done()
			for range ping {
				pong <- 1
			}
		}()
	}
	// Mutex contention and allocation.
	var mu sync.Mutex
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; !stop.Load(); j++ {
				mu.Lock()
				b := make([]byte, 512+j%4096)
				sink.Store(&b)
				mu.Unlock()
				if j%64 == 0 {
					rtrace.WithRegion(ctx, "alloc", func() { runtime.Gosched() })
				}
			}
		}(i)
	}
	// Syscalls and short sleeps.
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := fmt.Sprintf("%s/gotrace-peer-%d-%d", os.TempDir(), os.Getpid(), i)
			defer os.Remove(p)
			for j := 0; !stop.Load(); j++ {
				_ = os.WriteFile(p, []byte(strconv.Itoa(j)), 0o600)
				rtrace.Log(ctx, "write", strconv.Itoa(j%10))
				time.Sleep(50 * time.Microsecond)
			}
		}(i)
	}
	for cw.n.Load() < sizeMB<<20 {
		time.Sleep(10 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	task.End()
	rtrace.Stop()
	return bw.Flush()
}

func read(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	cpuStart := cpuSecs()
	start := time.Now()
	r, err := trace.NewReader(bytesReader(data))
	if err != nil {
		return err
	}
	n := 0
	for {
		_, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		n++
	}
	s := time.Since(start).Seconds()
	cpu := cpuSecs() - cpuStart
	fmt.Printf("{\"events\":%d,\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"mb_per_s\":%.1f}\n",
		n, s, cpu, float64(len(data))/1e6/s)
	return nil
}

// cpuSecs is the user+system CPU time of the whole process so far (all threads, the
// garbage collector's included).
func cpuSecs() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

type byteReader struct {
	b []byte
}

func bytesReader(b []byte) *byteReader { return &byteReader{b} }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func main() {
	var err error
	switch {
	case len(os.Args) == 4 && os.Args[1] == "gen":
		var mb int64
		mb, err = strconv.ParseInt(os.Args[3], 10, 64)
		if err == nil {
			err = gen(os.Args[2], mb)
		}
	case len(os.Args) == 3 && os.Args[1] == "read":
		err = read(os.Args[2])
	default:
		fmt.Fprintln(os.Stderr, "usage: gotrace-peer gen OUT SIZE_MB | read FILE")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
