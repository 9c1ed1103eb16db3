package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/onestop-station/onestop/lab/report"
)

// defaultKeyDir is where the lab keeps its report signing key (made on first use).
const defaultKeyDir = "lab-data"

// verify checks a report file against the lab's public key: genuine (exit 0), or altered,
// unsigned or signed by another key (exit 1), said in words.
func verify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lab verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("key", filepath.Join(defaultKeyDir, report.PubKeyFile), "the lab's public key file (written beside its signing key)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: lab verify [--key FILE] REPORT.pdf\n\nChecks the report's Ed25519 signature: any changed byte of the file is caught.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{errors.New("verify: one report file")}
	}
	pub, err := report.ReadPublicKey(*key)
	if err != nil {
		return err
	}
	pdf, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	no, err := report.Verify(pdf, pub)
	switch {
	case errors.Is(err, report.ErrUnsigned):
		return fmt.Errorf("NOT VERIFIED: %s carries no lab signature", fs.Arg(0))
	case errors.Is(err, report.ErrAltered):
		return fmt.Errorf("NOT VERIFIED: %s was changed after the lab signed it, or another key signed it", fs.Arg(0))
	case err != nil:
		return fmt.Errorf("NOT VERIFIED: %w", err)
	}
	fmt.Fprintf(stdout, "genuine: report %s, signed by the lab key %s\n", no, report.KeyID(pub))
	return nil
}
