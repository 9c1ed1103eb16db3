// Package verdict turns a result, its expanded uncertainty U (k = 2) and a tolerance limit into a
// statement of conformity under one of the three decision rules of ILAC-G8:09/2019 §4.2
// (adopted in China as CNAS-GL015:2022), as ISO/IEC 17025:2017 §7.8.6 asks a report to state.
//
//   - Simple (§4.2.1, binary, w = 0): the acceptance limit is the tolerance limit.
//   - GuardBand (§4.2.2, binary, w = U): the acceptance limit is the tolerance limit moved by U
//     into the acceptance zone; the published risk of false accept is below 2.5 %.
//   - ILACG8 (§4.2.3, non-binary, w = U): Pass, Conditional Pass, Conditional Fail or Fail.
//
// Zone boundaries (the single points where a result equals a limit or a limit ± U) are decided once,
// in [Decide]: a boundary belongs to the zone on the acceptance side, so every zone is half-open
// towards the limit's unfavourable side. See [Decide] for the reasons.
//
// The package is pure: no storage, no clock, no I/O. Facts and sources are in
// ../shared/reference/lab-standards.md §3.2–3.3.
package verdict
