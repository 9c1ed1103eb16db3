package privacy

import "testing"

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "张": "*", "张三": "张*", "张三丰": "张**", " 欧阳娜娜 ": "欧***", "SMITH JOHN": "S*********",
	} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskIDNumber(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"12345678":           "********",
		"11010519491231002X": "110***********002X",
		"USA110090010157":    "USA********0157",
	} {
		if got := MaskIDNumber(in); got != want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskAddress(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"北京市东城区示例路1号":      "北京市东城区…",
		"北京市":              "北…",
		"上海市黄浦区":           "上海市…",
		"Hong Kong Island": "Hong K…",
	} {
		if got := MaskAddress(in); got != want {
			t.Errorf("MaskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskShortNumbersAndDates(t *testing.T) {
	for in, want := range map[string]string{"H12345678": "H*******8", "AB1234567890": "A**********0"} {
		if got := MaskIDNumber(in); got != want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"1990-03-07": "1990-**-**", "": "", "19900307": "********"} {
		if got := MaskDate(in); got != want {
			t.Errorf("MaskDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskDigits(t *testing.T) {
	for in, want := range map[string]string{"13800000011": "138****0011", "6217000000000000011": "621************0011", "1234567": "*******", "": ""} {
		if got := MaskDigits(in); got != want {
			t.Errorf("MaskDigits(%q) = %q, want %q", in, got, want)
		}
	}
}
