package publish

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/onestop-station/onestop/agent/config"
)

// testCA issues certificates for one test and writes them as PEM files in dir.
type testCA struct {
	t    *testing.T
	dir  string
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	n    int64
}

func newTestCA(t *testing.T) *testCA {
	ca := &testCA{t: t, dir: t.TempDir()}
	ca.key = ca.newKey()
	tmpl := ca.template("test CA")
	tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ca.key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	if ca.cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	ca.write("ca.pem", "CERTIFICATE", der)
	return ca
}

func (ca *testCA) newKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		ca.t.Fatal(err)
	}
	return k
}

func (ca *testCA) template(cn string) *x509.Certificate {
	ca.n++
	return &x509.Certificate{SerialNumber: big.NewInt(ca.n), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
}

// issue makes a certificate for cn (a server one when server is set, for 127.0.0.1) and returns
// its certificate and key files.
func (ca *testCA) issue(cn string, server bool) (certFile, keyFile string) {
	key := ca.newKey()
	tmpl := ca.template(cn)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		ca.t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		ca.t.Fatal(err)
	}
	return ca.write(cn+".pem", "CERTIFICATE", der), ca.write(cn+"-key.pem", "EC PRIVATE KEY", kder)
}

func (ca *testCA) write(name, kind string, der []byte) string {
	p := filepath.Join(ca.dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		ca.t.Fatal(err)
	}
	return p
}

// startTLSBroker runs mochi with a plain loopback listener (for the fake lab) and a TLS one that
// requires a client certificate of ca, as the lab's broker with tls_client_ca does.
func startTLSBroker(t *testing.T, ca *testCA) (plainURL, tlsURL string) {
	certFile, keyFile := ca.issue("broker", true)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := mochi.New(&mochi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv.AddHook(new(allowAll), nil)
	plain := listeners.NewTCP(listeners.Config{ID: "tcp", Address: "127.0.0.1:0"})
	secure := listeners.NewTCP(listeners.Config{ID: "tls", Address: "127.0.0.1:0", TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}})
	for _, l := range []*listeners.TCP{plain, secure} {
		if err := srv.AddListener(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Serve(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return "tcp://" + plain.Address(), "ssl://" + secure.Address()
}

// The agent's [broker] TLS keys, as agent/main.go turns them into the publisher's TLS: readings
// reach the lab over a TLS listener that requires a client certificate, and the acks come back.
func TestPublishOverTLS(t *testing.T) {
	ca := newTestCA(t)
	plainURL, tlsURL := startTLSBroker(t, ca)
	lab := startLab(t, plainURL)
	cert, key := ca.issue("a1", false)
	b := config.Broker{URL: tlsURL, Username: "a1", Password: "pw", CAFile: filepath.Join(ca.dir, "ca.pem"),
		CertFile: cert, KeyFile: key}
	tlsCfg, err := b.TLS()
	if err != nil {
		t.Fatal(err)
	}
	ob := openOutbox(t)
	appendN(t, ob, 20)
	runPublisher(t, ob, tlsURL, func(o *Opts) { o.TLS = tlsCfg })
	waitFor(t, "20 polls acknowledged over TLS", 20*time.Second, func() bool { return depth(t, ob) == 0 })
	if got := lab.distinct(); got != 20*13 {
		t.Errorf("lab saw %d distinct seqs, want %d", got, 20*13)
	}
}
