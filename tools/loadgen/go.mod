module rstat/loadgen

go 1.21
