// Package idcard reads second-generation Chinese resident ID cards, Hong Kong/Macau/Taiwan
// residence permits and foreign permanent resident cards through a GA 467 SAM(V) module on a
// serial line (115200 8N1 by default).
//
// # Frames
//
// Every frame starts with the preamble AA AA AA 96 69, then a two-byte big-endian LEN that
// counts every byte after it, checksum included, so a whole frame is 7+LEN bytes:
//
//	host   → reader: AA AA AA 96 69 | LEN_H LEN_L | CMD  PARA      | DATA… | CHK
//	reader → host  : AA AA AA 96 69 | LEN_H LEN_L | SW1  SW2  SW3  | DATA… | CHK
//
// CHK is the XOR of every byte from LEN_H through the last DATA byte (not the preamble). SW1
// and SW2 are 00 00 on success; SW3 is the SAM status: 0x90 success, 0x9F card found, 0x91 item
// empty, anything else an error, mapped here to a sentinel error ([ErrNoCard], [ErrReadFailed],
// …) inside a [*StatusError]. A read of text and photo (30 01) answers 1295 bytes: 256 bytes of
// UCS-2LE text decoded into a [Card] and 1024 bytes of WLT photo kept opaque (see [PhotoDecoder]).
//
// # The card latch
//
// After a successful read the module refuses to find the same card again until it has been
// lifted off and put back; [Reader.WaitCard] waits for that too, so a kiosk never reads one
// placement twice.
//
// # Personal data
//
// A [Card] holds personal data. Its String, Format, LogValue, MarshalJSON and MarshalText
// methods print only the card type, and no error of this package carries a field's value. The
// names, numbers, address, photo and fingerprints are each a [Secret], which prints as
// "[hidden]" and stays hidden even where fmt calls no method (a Card in an unexported struct
// field); code that needs a value calls Reveal. Mask for screens with kiosk/privacy.
//
// # Sources
//
// The rules, commands, status codes and field offsets are those of the team's reference
// /work/shared/reference/device-protocols.md, section 1 (GA 467 "SAM_V"): the eastcoms SAM_V
// document (http://eastcoms.com/service/downdrive/508.html), cdGH/Ids SAMSerial.cs,
// guocihong/GasStationCardManageSystem, SpeedataG/IdentityCard, Johann356/readinfo
// PCSCGetData.h for the non-mainland layouts, and GB 11643-1999 for the ID-number checksum.
package idcard
