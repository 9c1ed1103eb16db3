package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// Agent is what the lab knows of one agent. State is "online", "offline" or "" (data seen, no
// status yet). LastSeen is when the lab last heard from it, zero if never live.
type Agent struct {
	Name     string    `json:"agent"`
	Site     string    `json:"site"`
	State    string    `json:"state"`
	Epoch    int64     `json:"epoch"`
	Version  string    `json:"version"`
	LastSeen time.Time `json:"last_seen"`
}

// Device is an agent's device with its last description.
type Device struct {
	Agent   string         `json:"agent"`
	Dev     string         `json:"dev"`
	Meta    telemetry.Meta `json:"meta"`
	Updated time.Time      `json:"updated"`
}

// SetAgentStatus records an agent's status. A zero at keeps LastSeen: a retained status replayed
// by the broker says nothing about when the agent was last heard.
func (s *Store) SetAgentStatus(ctx context.Context, agent, site string, st telemetry.Status, at time.Time) error {
	if !telemetry.ValidName(agent) {
		return fmt.Errorf("%w: agent %q", ErrInvalid, agent)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO agents (agent, site, state, epoch, version, last_seen_ns)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6)
		ON CONFLICT (agent) DO UPDATE SET site = ?2, state = ?3, epoch = ?4, version = ?5,
			last_seen_ns = max(last_seen_ns, ?6)`,
		agent, site, st.State, st.Epoch, st.Version, ns(at))
	if err != nil {
		return fmt.Errorf("store: status of %s: %w", agent, err)
	}
	return nil
}

// SetDeviceMeta records a device's description.
func (s *Store) SetDeviceMeta(ctx context.Context, agent, dev string, m telemetry.Meta, at time.Time) error {
	if !telemetry.ValidName(agent) || !telemetry.ValidName(dev) {
		return fmt.Errorf("%w: agent %q dev %q", ErrInvalid, agent, dev)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: meta of %s/%s: %w", agent, dev, err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO devices (agent, dev, meta, updated_ns) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT (agent, dev) DO UPDATE SET meta = ?3, updated_ns = ?4`, agent, dev, string(b), ns(at))
	if err != nil {
		return fmt.Errorf("store: meta of %s/%s: %w", agent, dev, err)
	}
	return nil
}

// Agents lists every agent the lab has heard of, by name.
func (s *Store) Agents(ctx context.Context) ([]Agent, error) {
	rows, err := s.r.QueryContext(ctx,
		`SELECT agent, site, state, epoch, version, last_seen_ns FROM agents ORDER BY agent`)
	if err != nil {
		return nil, fmt.Errorf("store: agents: %w", err)
	}
	defer rows.Close()
	var out []Agent
	for rows.Next() {
		var a Agent
		var seen int64
		if err := rows.Scan(&a.Name, &a.Site, &a.State, &a.Epoch, &a.Version, &seen); err != nil {
			return nil, fmt.Errorf("store: agents: %w", err)
		}
		a.LastSeen = fromNs(seen)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: agents: %w", err)
	}
	return out, nil
}

// Devices lists an agent's devices, or every agent's when agent is empty.
func (s *Store) Devices(ctx context.Context, agent string) ([]Device, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT agent, dev, meta, updated_ns FROM devices
		WHERE ?1 = '' OR agent = ?1 ORDER BY agent, dev`, agent)
	if err != nil {
		return nil, fmt.Errorf("store: devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		var d Device
		var meta string
		var upd int64
		if err := rows.Scan(&d.Agent, &d.Dev, &meta, &upd); err != nil {
			return nil, fmt.Errorf("store: devices: %w", err)
		}
		if err := json.Unmarshal([]byte(meta), &d.Meta); err != nil {
			return nil, fmt.Errorf("store: devices: meta of %s/%s: %w", d.Agent, d.Dev, err)
		}
		d.Updated = fromNs(upd)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: devices: %w", err)
	}
	return out, nil
}
