package verdict_test

import (
	"fmt"

	"github.com/onestop-station/onestop/lab/verdict"
)

// A hand-held plastic part's temperature rise against GB 19865-2005 cl. 9.3 (≤ 35 K), U = 0.8 K.
func Example() {
	lim := verdict.Limit{Value: 35, Kind: verdict.Max}
	for _, rise := range []float64{33.9, 34.6, 35.4, 36.1} {
		o, err := verdict.Decide(verdict.ILACG8, rise, 0.8, lim)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%.1f K %s: %s / %s\n", rise, lim, o, o.Text("zh"))
	}
	// Output:
	// 33.9 K ≤ 35: pass / 合格
	// 34.6 K ≤ 35: conditional pass / 有条件合格
	// 35.4 K ≤ 35: conditional fail / 有条件不合格
	// 36.1 K ≤ 35: fail / 不合格
}
