package idcard_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/onestop-station/onestop/drivers/idcard"
)

// No fmt verb, no slog handler and no error of this package prints a card's personal data.
func TestCardNeverPrintsPersonalData(t *testing.T) {
	for _, name := range []string{"zhangsan", "lisi", "chenxiaoming", "john-sample", "mary-sample"} {
		lc := loaded(t, name)
		c := lc.Card
		secrets := []string{c.Name, c.IDNumber, c.IDNumber[:6], c.Address, c.EnglishName, c.PassNumber,
			c.Birth.Format("20060102"), c.Birth.Format("2006-01-02"), lc.File.AppendedAddress}
		var out []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			out = append(out, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c))
		}
		out = append(out, fmt.Sprint(c), fmt.Sprint([]*idcard.Card{c}), fmt.Sprintf("%v", struct{ C *idcard.Card }{c}))
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var b bytes.Buffer
			slog.New(h(&b)).Info("read", "card", c, "value", *c)
			out = append(out, b.String())
		}
		// Errors about a card's own data: a broken date (valid-from sits at 188 in every layout), a bad number.
		broken := append([]byte(nil), lc.Text...)
		copy(broken[188:204], []byte("9\x009\x009\x009\x009\x009\x009\x009\x00"))
		_, err1 := idcard.DecodeText(broken)
		bad := *c
		bad.IDNumber = c.IDNumber[:len(c.IDNumber)-1] + "Z"
		err2 := bad.Validate()
		err3 := idcard.ValidateIDNumber(c.IDNumber[:10])
		for _, err := range []error{err1, err2, err3} {
			if err == nil {
				t.Fatalf("%s: expected an error", name)
			}
			out = append(out, err.Error())
		}
		for _, o := range out {
			for _, s := range secrets {
				if s != "" && strings.Contains(o, s) {
					t.Errorf("%s: output %q contains personal data", name, o)
				}
			}
		}
		if !strings.Contains(out[0], string(c.Type)) {
			t.Errorf("%q does not even say the type", out[0])
		}
	}
	if !errors.Is(idcard.ValidateIDNumber("1"), idcard.ErrIDFormat) {
		t.Error("short number")
	}
}
