module gprofops.dev/benches/peers/gctrace

go 1.21
