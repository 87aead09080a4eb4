// Command pprof-parse times github.com/google/pprof/profile.ParseData on the files given,
// the peer of gprofops' decoder in scripts/bench-pprof-decode.sh.
//
//	pprof-parse [-min-time 2s] FILE...
//	pprof-parse -merge [-min-time 2s] FILE...
//
// With -merge it parses every file once, then times profile.Merge of all of them and
// prints "go-merge FILES ITERATIONS SECONDS_PER_MERGE PEAK_RSS_DELTA_BYTES CPU_SECONDS_PER_MERGE".
//
// For each file it prints one line:
// "go FILE BYTES ITERATIONS SECONDS_PER_PARSE PEAK_RSS_DELTA_BYTES CPU_SECONDS_PER_PARSE".
// Peak RSS is measured around a first, single parse (VmHWM from /proc/self/status).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/pprof/profile"
)

// cpuSeconds is the user+system CPU time of the whole process so far (the garbage
// collector's threads included): on a shared machine, wall-clock time also counts waiting
// for a core.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "VmHWM:") {
			fs := strings.Fields(s.Text())
			kb, _ := strconv.ParseInt(fs[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func main() {
	minTime := flag.Duration("min-time", 2*time.Second, "keep parsing each file for at least this long")
	mergeMode := flag.Bool("merge", false, "time profile.Merge of all files instead of parsing each")
	flag.Parse()
	if *mergeMode {
		timeMerge(flag.Args(), *minTime)
		return
	}
	for _, path := range flag.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		runtime.GC()
		debug.FreeOSMemory()
		before := vmHWM()
		p, err := profile.ParseData(data)
		if err != nil {
			fmt.Fprintln(os.Stderr, path, err)
			os.Exit(2)
		}
		peak := vmHWM() - before
		runtime.KeepAlive(p)
		p = nil
		n := 0
		start, cpu := time.Now(), cpuSeconds()
		for time.Since(start) < *minTime {
			if _, err := profile.ParseData(data); err != nil {
				fmt.Fprintln(os.Stderr, path, err)
				os.Exit(2)
			}
			n++
		}
		per := time.Since(start).Seconds() / float64(n)
		cpuPer := (cpuSeconds() - cpu) / float64(n)
		fmt.Printf("go %s %d %d %.9f %d %.9f\n", path, len(data), n, per, peak, cpuPer)
	}
}

func timeMerge(paths []string, minTime time.Duration) {
	var profs []*profile.Profile
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		p, err := profile.ParseData(data)
		if err != nil {
			fmt.Fprintln(os.Stderr, path, err)
			os.Exit(2)
		}
		profs = append(profs, p)
	}
	runtime.GC()
	debug.FreeOSMemory()
	before := vmHWM()
	m, err := profile.Merge(profs)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	peak := vmHWM() - before
	runtime.KeepAlive(m)
	n := 0
	start, cpu := time.Now(), cpuSeconds()
	for time.Since(start) < minTime {
		if _, err := profile.Merge(profs); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		n++
	}
	per := time.Since(start).Seconds() / float64(n)
	cpuPer := (cpuSeconds() - cpu) / float64(n)
	fmt.Printf("go-merge %d %d %.9f %d %.9f\n", len(paths), n, per, peak, cpuPer)
}
