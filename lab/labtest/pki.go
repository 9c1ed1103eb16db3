package labtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a throwaway certificate authority for a test, with PEM files in a temporary folder: a
// server certificate for 127.0.0.1, ::1 and localhost, and client certificates made on demand.
type PKI struct {
	Dir                   string
	CAFile                string // the CA certificate, for clients' ca_file and the broker's tls_client_ca
	ServerCert, ServerKey string

	t      testing.TB
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	serial int64
}

// NewPKI makes a fresh CA (ECDSA P-256) and a server certificate signed by it.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	p := &PKI{Dir: t.TempDir(), t: t}
	p.caKey = newKey(t)
	tmpl := p.template("OneStop test CA")
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	if p.ca, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	p.CAFile = p.write("ca.pem", "CERTIFICATE", der)
	p.ServerCert, p.ServerKey = p.issue("server", x509.ExtKeyUsageServerAuth, func(c *x509.Certificate) {
		c.DNSNames = []string{"localhost"}
		c.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	})
	return p
}

// OtherPKI is an unrelated CA with its own client certificate, for "not signed by our CA" cases.
func (p *PKI) OtherPKI() *PKI { return NewPKI(p.t) }

// Client makes a client certificate with common name cn and returns its files.
func (p *PKI) Client(cn string) (certFile, keyFile string) {
	p.t.Helper()
	return p.issue(cn, x509.ExtKeyUsageClientAuth, nil)
}

// ServerTLS is the broker's side: the server certificate, and with requireClientCerts a client
// certificate signed by this CA is required.
func (p *PKI) ServerTLS(requireClientCerts bool) *tls.Config {
	p.t.Helper()
	cert, err := tls.LoadX509KeyPair(p.ServerCert, p.ServerKey)
	if err != nil {
		p.t.Fatal(err)
	}
	c := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if requireClientCerts {
		c.ClientCAs = p.pool()
		c.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return c
}

// ClientTLS trusts this CA and, with a non-empty cn, presents a client certificate for cn.
func (p *PKI) ClientTLS(cn string) *tls.Config {
	p.t.Helper()
	c := &tls.Config{RootCAs: p.pool(), MinVersion: tls.VersionTLS12}
	if cn != "" {
		cert, err := tls.LoadX509KeyPair(p.Client(cn))
		if err != nil {
			p.t.Fatal(err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c
}

func (p *PKI) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	return pool
}

func (p *PKI) template(cn string) *x509.Certificate {
	p.serial++
	return &x509.Certificate{
		SerialNumber: big.NewInt(p.serial),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"OneStop tests"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
}

func (p *PKI) issue(cn string, usage x509.ExtKeyUsage, edit func(*x509.Certificate)) (certFile, keyFile string) {
	p.t.Helper()
	key := newKey(p.t)
	tmpl := p.template(cn)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{usage}
	if edit != nil {
		edit(tmpl)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		p.t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		p.t.Fatal(err)
	}
	return p.write(cn+".pem", "CERTIFICATE", der), p.write(cn+"-key.pem", "EC PRIVATE KEY", kder)
}

func (p *PKI) write(name, kind string, der []byte) string {
	p.t.Helper()
	path := filepath.Join(p.Dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		p.t.Fatal(err)
	}
	return path
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
