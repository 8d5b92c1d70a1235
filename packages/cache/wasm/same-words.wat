;; The unchanged-socket test of the cache (snapshot-words.ts), with 16-byte
;; SIMD loads: the JavaScript loop over Int32Arrays does one word per load and
;; was ~160 ns of a 500-byte snapshot in the daemon; this is ~50 ns with the
;; copy of the datagram into this memory (bench: packages/cache/README.md).
;;
;; The memory is the arena's (imported): the kept snapshots and a scratch
;; region holding the datagram being read. All offsets are bytes, multiples
;; of 4 (netlink's alignment); v128 loads need no alignment.
;;
;; Source of truth for same-words-wasm.ts: `pnpm --filter @tcpinfo/cache wasm`
;; regenerates it, and test/same-words-wasm.test.ts checks the two agree.
(module
  (import "env" "memory" (memory 1))

  ;; OR of the differences of bytes [from, to) of the snapshots at $prev and $cur
  ;; (0: equal).
  (func $diff (param $prev i32) (param $cur i32) (param $from i32) (param $to i32) (result i32)
    (local $i i32) (local $end i32) (local $shift i32) (local $wide v128) (local $narrow i32)
    (local.set $i (i32.add (local.get $prev) (local.get $from)))
    (local.set $shift (i32.sub (local.get $cur) (local.get $prev)))
    ;; 16 bytes at a time while 16 remain
    (local.set $end (i32.sub (i32.add (local.get $prev) (local.get $to)) (i32.const 15)))
    (block $wide_done
      (loop $wide_loop
        (br_if $wide_done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $wide
          (v128.or (local.get $wide)
            (v128.xor (v128.load (local.get $i))
                      (v128.load (i32.add (local.get $i) (local.get $shift))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $wide_loop)))
    ;; then 4 bytes at a time
    (local.set $end (i32.add (local.get $prev) (local.get $to)))
    (block $narrow_done
      (loop $narrow_loop
        (br_if $narrow_done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $narrow
          (i32.or (local.get $narrow)
            (i32.xor (i32.load (local.get $i))
                     (i32.load (i32.add (local.get $i) (local.get $shift))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $narrow_loop)))
    (i32.or (local.get $narrow) (v128.any_true (local.get $wide))))

  ;; 1 when the snapshots at $prev and $cur are equal in bytes [0, $b0),
  ;; [$b1, $b2), [$b3, $b4) and [$b5, $length): the ranges the change rules
  ;; compare (changeComparedBounds, @tcpinfo/netlink); else 0.
  (func (export "same")
    (param $prev i32) (param $cur i32)
    (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $b4 i32) (param $b5 i32)
    (param $length i32) (result i32)
    (i32.eqz
      (i32.or
        (i32.or (call $diff (local.get $prev) (local.get $cur) (i32.const 0) (local.get $b0))
                (call $diff (local.get $prev) (local.get $cur) (local.get $b1) (local.get $b2)))
        (i32.or (call $diff (local.get $prev) (local.get $cur) (local.get $b3) (local.get $b4))
                (call $diff (local.get $prev) (local.get $cur) (local.get $b5) (local.get $length)))))))
