package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/onestop-station/onestop/kiosk/config"
)

// uiFlags are the flags of the UI commands (run and tour).
type uiFlags struct {
	cfg      config.Config
	simulate bool
	card     string
	out      string
	quick    bool
}

func parseUIFlags(name string, args []string, stderr io.Writer, tour bool) (*uiFlags, error) {
	fs := flag.NewFlagSet("kiosk "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f uiFlags
	path := fs.String("config", "", "configuration file (TOML); none: the defaults")
	data := fs.String("data", "", "data directory (overrides data_dir)")
	fullscreen := fs.Bool("fullscreen", false, "full screen (overrides screen.fullscreen)")
	landscape := fs.Bool("landscape", false, "1920×1080 instead of 1080×1920")
	if tour {
		fs.StringVar(&f.out, "out", "", "directory for the screenshots (required); its data/ holds the run's database and logs")
		fs.BoolVar(&f.quick, "quick", false, "three passes (zh-Hans, English elder, landscape) instead of every language and mode")
	} else {
		fs.BoolVar(&f.simulate, "simulate", false, "start the ID reader, printer and scanner twins in-process (no hardware)")
		fs.StringVar(&f.card, "card", "", "with --simulate: a twin card already on the reader (zhangsan, lisi, …)")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: kiosk %s [flags]\n\n", name)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\n"+config.Keys)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return nil, err
	}
	if *data != "" {
		cfg.DataDir = *data
	}
	if *fullscreen {
		cfg.Screen.Fullscreen = true
	}
	if *landscape {
		cfg.Screen.Width, cfg.Screen.Height = 1920, 1080
	}
	if tour && f.out == "" {
		fs.Usage()
		return nil, fmt.Errorf("kiosk tour: --out is required")
	}
	f.cfg = cfg
	return &f, nil
}
