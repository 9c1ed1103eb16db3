package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// sealedLicence is the part of a licence kept sealed: the number (an ID card's is the ID
// number), the validity (an ID card's follows the birth date) and the fields.
type sealedLicence struct {
	Number  string            `json:"number"`
	ValidTo string            `json:"valid_to,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// licenceAAD binds a sealed licence to its holder and type, so a blob moved to another row
// does not open.
func licenceAAD(holderIndex, typ string) []byte { return []byte(holderIndex + "/" + typ) }

// Licences returns the e-licences of holderID whose type is in types (all when empty),
// ordered by type. A holder with none gets an empty list, not an error.
func (st *Store) Licences(ctx context.Context, holderID string, types []string) ([]Licence, error) {
	if strings.TrimSpace(holderID) == "" {
		return nil, fmt.Errorf("backend: licences: %w: no holder_id", ErrInvalid)
	}
	hi := st.seal.BlindIndex(normID(holderID))
	rows, err := st.db.QueryContext(ctx, `SELECT type, source, issuer, sealed FROM licences
		WHERE holder_index = ? ORDER BY type`, hi)
	if err != nil {
		return nil, fmt.Errorf("backend: licences: %w", err)
	}
	defer rows.Close()
	out := []Licence{}
	for rows.Next() {
		var l Licence
		var blob []byte
		if err := rows.Scan(&l.Type, &l.Source, &l.Issuer, &blob); err != nil {
			return nil, fmt.Errorf("backend: licences: %w", err)
		}
		if len(types) > 0 && !slices.Contains(types, l.Type) {
			continue
		}
		plain, err := st.seal.Open(blob, licenceAAD(hi, l.Type))
		if err != nil {
			return nil, fmt.Errorf("backend: licences: %s: %w", l.Type, err)
		}
		var sl sealedLicence
		if err := json.Unmarshal(plain, &sl); err != nil {
			return nil, fmt.Errorf("backend: licences: %s: %w", l.Type, err)
		}
		l.Number, l.ValidTo, l.Fields = sl.Number, sl.ValidTo, sl.Fields
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backend: licences: %w", err)
	}
	return out, nil
}

// SeedRecord is one e-licence to load into a Store: whose (an ID number) and what.
type SeedRecord struct {
	HolderID string
	Licence  Licence
}

// SeedLicences stores records, replacing a holder's licence of the same type. It is how a
// center loads an export of the city's e-licence store, and how demos get DemoSeed.
func (st *Store) SeedLicences(ctx context.Context, records []SeedRecord) error {
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("backend: seed licences: %w", err)
	}
	defer tx.Rollback()
	for i, r := range records {
		if strings.TrimSpace(r.HolderID) == "" || r.Licence.Type == "" {
			return fmt.Errorf("backend: seed licences: record %d: %w: holder or type missing", i, ErrInvalid)
		}
		hi := st.seal.BlindIndex(normID(r.HolderID))
		plain, err := json.Marshal(sealedLicence{Number: r.Licence.Number, ValidTo: r.Licence.ValidTo, Fields: r.Licence.Fields})
		if err != nil {
			return fmt.Errorf("backend: seed licences: record %d: %w", i, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO licences(holder_index, type, source, issuer, sealed)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT(holder_index, type)
			DO UPDATE SET source = excluded.source, issuer = excluded.issuer, sealed = excluded.sealed`,
			hi, r.Licence.Type, r.Licence.Source, r.Licence.Issuer, st.seal.Seal(plain, licenceAAD(hi, r.Licence.Type)))
		if err != nil {
			return fmt.Errorf("backend: seed licences: record %d (%s): %w", i, r.Licence.Type, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("backend: seed licences: %w", err)
	}
	st.opts.Logger.Info("licences seeded", "records", len(records))
	return nil
}
