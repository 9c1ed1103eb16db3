package escpos_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/drivers/serialport"
	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
)

// Example checks the printer and prints a receipt with Chinese text and a QR
// code. The printer here is the twin on a pseudo-terminal; at a kiosk the
// path is the printer's /dev/serial/by-id link.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, _ := os.MkdirTemp("", "receipts")
	defer os.RemoveAll(out)
	twin, err := simprinter.New(simprinter.Opts{OutDir: out, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	go twin.Run(ctx)
	path, _ := twin.WaitPath(ctx, "")

	port := serialport.New(serialport.Config{Path: path, Baud: 115200}, "printer")
	defer port.Close()
	p := escpos.New(port, escpos.DefaultOpts)
	defer p.Close()

	st, err := p.Status(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("paper:", st.Paper(), "cover open:", st.CoverOpen, "online:", st.Online)

	r := escpos.NewReceipt().Init().Chinese(true).
		Align(escpos.AlignCenter).Size(2, 2).Bold(true).Line("办成一件事").
		Size(1, 1).Bold(false).Line("打印测试 / test receipt").
		QR("https://onestop.example.cn/v?编号=A001", escpos.DefaultQROpts).
		Feed(3).Cut(escpos.CutPartial)
	if err := p.Print(ctx, r); err != nil {
		fmt.Println(err)
		return
	}

	for len(twin.Receipts()) == 0 && ctx.Err() == nil { // the twin renders it
		time.Sleep(10 * time.Millisecond)
	}
	text, _ := os.ReadFile(twin.Receipts()[0].Text)
	fmt.Print(string(text))
	// Output:
	// paper: ok cover open: false online: true
	// 办成一件事
	// 打印测试 / test receipt
	// [qr module 6 level M: https://onestop.example.cn/v?编号=A001]
	// [cut partial]
}
