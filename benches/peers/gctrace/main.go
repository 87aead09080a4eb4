// Command gctrace-regex is the peer of gprofops' gctrace scanner in
// scripts/bench-gctrace.sh: the way gctrace logs are usually read (regular expressions,
// as in shared/tools/oracle/gctrace_oracle.py and the scripts people share), written
// faithfully in Go with the standard library.
//
//	gctrace-regex FILE    prints "go FILE BYTES SECONDS CYCLES STW_MICROS CPU_SECONDS"
//
// CPU_SECONDS is the user+system time of all the process's threads (the Go runtime's
// too) during the scan.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const num = `\d+(?:\.\d+)?`

var gcRE = regexp.MustCompile(`gc (\d+) @(` + num + `)s (\d+)%: (` + num + `(?:\+` + num + `){2,4}) ms clock, ([0-9.+/]+) ms cpu, (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, (?:(\d+) MB stacks, (\d+) MB globals, )?(\d+) P( \(forced\))?`)

var (
	scvgRE  = regexp.MustCompile(`\bscvg(?:-?\d+)?: `)
	scavRE  = regexp.MustCompile(`\bscav \d+ KiB work`)
	pacerRE = regexp.MustCompile(`\bpacer: `)
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cpuStart := cpuSecs()
	start := time.Now()
	s := bufio.NewScanner(bytes.NewReader(data))
	s.Buffer(make([]byte, 1<<20), 1<<26)
	var cycles, stw, other int64
	for s.Scan() {
		line := s.Bytes()
		if scvgRE.Match(line) || scavRE.Match(line) || pacerRE.Match(line) {
			other++
		}
		for _, m := range gcRE.FindAllSubmatch(line, -1) {
			cycles++
			terms := strings.Split(string(m[4]), "+")
			first, _ := strconv.ParseFloat(terms[0], 64)
			last, _ := strconv.ParseFloat(terms[len(terms)-1], 64)
			stw += int64((first+last)*1000 + 0.5)
			for _, g := range [][]byte{m[6], m[7], m[8], m[9], m[12]} {
				if _, err := strconv.ParseUint(string(g), 10, 64); err != nil {
					panic(err)
				}
			}
		}
	}
	secs := time.Since(start).Seconds()
	cpu := cpuSecs() - cpuStart
	fmt.Printf("go %s %d %.6f %d %d %.6f\n", os.Args[1], len(data), secs, cycles, stw, cpu)
}

// cpuSecs is the user+system CPU time of the whole process so far.
func cpuSecs() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
