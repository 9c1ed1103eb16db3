package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/store"
)

// defaultDataDir is the station's data folder: lab.db, the report signing key, reports/.
const defaultDataDir = "onestop-data"

// verify checks a report file against the lab's public key — genuine (exit 0), or altered,
// unsigned or signed by another key (exit 1) — and, when the station's database is there,
// against its register: the file the lab issued under that number, superseded or withdrawn.
func verify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lab verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir, "the station's data folder (public key and lab.db)")
	key := fs.String("key", "", "the lab's public key file (default DATA/"+report.PubKeyFile+")")
	db := fs.String("db", "", `the station's database, for superseded and withdrawn reports (default DATA/lab.db; "off" skips it)`)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: lab verify [--data DIR] [--key FILE] [--db FILE] REPORT.pdf\n\nChecks the report's Ed25519 signature (any changed byte of the file is caught) and, with the\nstation's database, that it is the file issued under its number and still stands.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{errors.New("verify: one report file")}
	}
	if *key == "" {
		*key = filepath.Join(*data, report.PubKeyFile)
	}
	if *db == "" {
		*db = filepath.Join(*data, "lab.db")
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
	if _, err := os.Stat(*db); *db == "off" || err != nil {
		fmt.Fprintf(stdout, "genuine: report %s, signed by the lab key %s (register not checked: no %s)\n", no, report.KeyID(pub), *db)
		return nil
	}
	return register(stdout, *db, no, pdf, report.KeyID(pub))
}

// register checks a genuinely signed file against the station's record of report no.
func register(stdout io.Writer, db, no string, pdf []byte, keyID string) error {
	st, err := store.Open(db)
	if err != nil {
		return err
	}
	defer st.Close()
	row, err := st.Report(context.Background(), no)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("NOT VERIFIED: report %s is signed by the lab key but not in the register %s", no, db)
	}
	if err != nil {
		return err
	}
	sum := sha256.Sum256(pdf)
	switch {
	case hex.EncodeToString(sum[:]) != row.FileSHA256:
		return fmt.Errorf("NOT VERIFIED: this is not the file the lab issued as %s", no)
	case row.Withdrawn != "":
		return fmt.Errorf("WITHDRAWN: report %s is genuine but no longer stands: %s", no, row.Withdrawn)
	case row.SupersededBy != "":
		return fmt.Errorf("SUPERSEDED: report %s is genuine but was replaced by %s", no, row.SupersededBy)
	}
	fmt.Fprintf(stdout, "genuine: report %s, signed by the lab key %s, in force (issued %s)\n", no, keyID, row.Issued.Local().Format("2006-01-02 15:04"))
	return nil
}
