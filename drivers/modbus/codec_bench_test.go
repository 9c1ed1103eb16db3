package modbus_test

import (
	"testing"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// The codec work of one rig snapshot poll (FC04, 17 registers), on both sides
// of the line; compare runs with benchstat.
var snapshotReq = modbus.Request{Unit: 1, Function: modbus.FuncReadInputRegisters, Addr: 0, Qty: 17}

func BenchmarkEncodeSnapshotRequest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := modbus.EncodeRequest(snapshotReq); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSnapshotRequest(b *testing.B) {
	adu, err := modbus.EncodeRequest(snapshotReq)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := modbus.DecodeRequest(adu); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSnapshotReply(b *testing.B) {
	values := make([]uint16, snapshotReq.Qty)
	b.ReportAllocs()
	for b.Loop() {
		modbus.EncodeReply(snapshotReq, values)
	}
}

func BenchmarkDecodeSnapshotReply(b *testing.B) {
	adu := modbus.EncodeReply(snapshotReq, make([]uint16, snapshotReq.Qty))
	b.SetBytes(int64(len(adu)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := modbus.DecodeReply(snapshotReq, adu); err != nil {
			b.Fatal(err)
		}
	}
}
