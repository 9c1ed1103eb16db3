package telemetry_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// The payload work of a data message on both ends: the agent's Encode before a publish and the
// lab's DecodeBatch (with validation) on arrival. 11 readings is one rig snapshot, the message
// the agent sends live; 500 is the replay page (batch_max) after an outage. Compare runs with
// benchstat (bench/gobench.sh).

// snapshotChannels are the rig's 11 channels (drivers/rig) with typical values.
var snapshotChannels = [...]struct {
	ch, unit string
	v        float64
}{
	{"supply_voltage", "V", 24.13}, {"motor_current", "A", 3.42}, {"input_power", "W", 82.5},
	{"speed", "km/h", 5.87}, {"brake_force", "N", 0}, {"tilt_angle", "°", 0.05},
	{"motor_temp", "°C", 41.2}, {"battery_temp", "°C", 33.8}, {"handheld_temp", "°C", 27.1},
	{"accessible_temp", "°C", 26.4}, {"ambient_temp", "°C", 22.9},
}

// benchBatch returns n readings of consecutive snapshots polled 100 ms apart.
func benchBatch(n int) telemetry.Batch {
	b := telemetry.Batch{V: telemetry.Version, Epoch: 1764500000, SeqFrom: 1_000_001, SeqTo: int64(1_000_000 + n)}
	t0 := int64(1764505800123456789)
	for i := range n {
		c := snapshotChannels[i%len(snapshotChannels)]
		b.R = append(b.R, telemetry.Reading{
			Ch: c.ch, T: t0 + int64(i/len(snapshotChannels))*100_000_000, V: c.v + float64(i%7)*0.01, U: c.unit, Q: telemetry.QualityGood,
		})
	}
	return b
}

var batchSizes = []int{11, 500}

func BenchmarkEncodeBatch(b *testing.B) {
	for _, n := range batchSizes {
		b.Run(fmt.Sprintf("readings=%d", n), func(b *testing.B) {
			in := benchBatch(n)
			p, err := telemetry.Encode(in)
			if err != nil {
				b.Fatal(err)
			}
			if back, err := telemetry.DecodeBatch(p); err != nil || !reflect.DeepEqual(back, in) {
				b.Fatalf("the encoded batch does not decode to itself: %v", err)
			}
			b.SetBytes(int64(len(p)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := telemetry.Encode(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeBatch(b *testing.B) {
	for _, n := range batchSizes {
		b.Run(fmt.Sprintf("readings=%d", n), func(b *testing.B) {
			in := benchBatch(n)
			p, err := telemetry.Encode(in)
			if err != nil {
				b.Fatal(err)
			}
			if back, err := telemetry.DecodeBatch(p); err != nil || !reflect.DeepEqual(back, in) {
				b.Fatalf("DecodeBatch does not give back the batch encoded: %v", err)
			}
			b.SetBytes(int64(len(p)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := telemetry.DecodeBatch(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
