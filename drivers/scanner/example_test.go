package scanner_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/drivers/serialport"
	simscanner "github.com/onestop-station/onestop/firmware-sim/sim/scanner"
)

// Example triggers a Newland scanner and prints the code. The scanner here is
// the twin on a pseudo-terminal; on a kiosk the path is its
// /dev/serial/by-id link.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	twin, _ := simscanner.New(simscanner.Opts{
		Dialect: scanner.Newland, Suffix: scanner.SuffixCR, AIM: true, Charset: scanner.GBK,
		Codes:  []simscanner.Code{{Data: "办成一件事 https://x.cn/q?id=1", Symbology: "qr"}},
		Logger: slog.New(slog.DiscardHandler),
	})
	go twin.Run(ctx)
	path, err := twin.WaitPath(ctx, "")
	if err != nil {
		fmt.Println(err)
		return
	}

	port := serialport.New(serialport.Config{Path: path, Baud: 9600}, "scanner")
	defer port.Close()
	s := scanner.New(port, scanner.Opts{Dialect: scanner.Newland, Suffix: scanner.SuffixCR, AIM: true})
	defer s.Close()

	if err := s.Trigger(ctx); err != nil {
		fmt.Println(err)
		return
	}
	code, err := s.Scan(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(code.Symbology, code.Charset, code.Data)
	// Output:
	// qr gbk 办成一件事 https://x.cn/q?id=1
}
