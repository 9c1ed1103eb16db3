// Package report turns a released lab job into its test report: a PDF in Chinese with English
// labels that carries every item ISO/IEC 17025:2017 §7.8.2.1 asks for (../shared/reference/
// lab-standards.md §3.1), signed by the lab with Ed25519 so that any changed byte is caught.
//
// The package is pure: it knows the Report model, draws it (Render) and signs and verifies the
// bytes (Signer, Verify). Storage, numbering and HTTP are its callers' business.
//
// # Pages
//
// Every page carries the lab, "报告编号 Report No. …" in its header and "第 x 页 共 y 页 / Page x of y"
// with the number again in its footer; the last page ends with "报告结束 / End of report"
// (§7.8.2.1 d). Page 1 carries a QR code with the verification URL
//
//	<Opts.VerifyBase>/verify/<number>?h=<hash>
//
// where hash is the first 16 hex digits of the SHA-256 of the report's canonical content, defined
// as the encoding/json encoding of the Report value (Report.Hash). The URL names the content, not
// the file: the file is checked by its signature.
//
// # Fonts
//
// Opts.Font must be a single-face TrueType file with Latin and CJK glyphs; "" means Debian's
// fonts-arphic-gbsn00lp (DefaultFont). A collection (.ttc), a file that cannot be read, or a face
// missing Latin or CJK glyphs (Droid Sans Fallback has no Latin) makes Render fail with an error
// wrapping ErrNoFont, never a report with empty boxes.
//
// # Signature format
//
// Render records the report number in the PDF's Info dictionary as the plain string
// "/Keywords (onestop-report-no <number>)"; numbers are limited to [A-Za-z0-9._/-] so the
// string is never escaped. Sign appends one line after the file's final %%EOF:
//
//	%ONESTOP-SIG v1 ed25519 <number> <key id> <signature>\n
//
// key id is the base64 (raw URL alphabet, no padding) of the first 8 bytes of the SHA-256 of the
// 32-byte public key; signature is the standard base64 of the Ed25519 signature of every byte of
// the file before the line followed by the line's text up to and including the space before the
// signature. The number and key id are therefore signed too. A line starting with "%" after %%EOF
// is a PDF comment: readers (poppler, pdf.js, Acrobat) ignore it and the file stays valid.
//
// Verify requires exactly one such line, at the very end, ending in "\n"; anything else is
// ErrUnsigned (no line) or ErrAltered (a line that does not verify, a wrong key id, bytes after
// the line, a number that disagrees with the Info dictionary). Because the signature covers
// every byte before it and the line itself is parsed strictly, changing any byte of a signed file
// is detected.
//
// # Keys
//
// LoadOrCreateKey(dir) keeps the private key as dir/report-ed25519.key (the 32-byte seed in
// base64, mode 0600), making it on first use; the public key is written beside it as
// report-ed25519.pub for verifiers.
package report
