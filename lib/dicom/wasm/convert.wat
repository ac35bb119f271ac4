;; SIMD kernels for stored 16-bit samples -> float32 modality values (lib/dicom/simd.ts).
;; Build: wat2wasm convert.wat -o convert.wasm (Debian package wabt); the bytes are
;; embedded in simd.ts as base64, so running needs no toolchain. n must be a multiple of 8; src
;; 16-byte aligned, dst 16-byte aligned. Arithmetic is float32, as numpy's float32 path.
(module
  (memory (export "memory") 1)

  ;; dst[i] = f32(src[i] & mask) * scale + bias   (unsigned samples, BitsStored mask)
  (func (export "u16") (param $src i32) (param $dst i32) (param $n i32) (param $mask i32) (param $scale f32) (param $bias f32)
    (local $end i32) (local $m v128) (local $s v128) (local $b v128) (local $v v128)
    (local.set $m (i16x8.splat (local.get $mask)))
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $b (f32x4.splat (local.get $bias)))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $v (v128.and (v128.load (local.get $src)) (local.get $m)))
        (v128.store (local.get $dst)
          (f32x4.add (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (local.get $v))) (local.get $s)) (local.get $b)))
        (v128.store offset=16 (local.get $dst)
          (f32x4.add (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_u (local.get $v))) (local.get $s)) (local.get $b)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br $next))))

  ;; dst[i] = f32((src[i] << shift) >> shift) * scale + bias   (signed samples, sign extension from BitsStored)
  (func (export "i16") (param $src i32) (param $dst i32) (param $n i32) (param $shift i32) (param $scale f32) (param $bias f32)
    (local $end i32) (local $s v128) (local $b v128) (local $v v128)
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $b (f32x4.splat (local.get $bias)))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $v (i16x8.shr_s (i16x8.shl (v128.load (local.get $src)) (local.get $shift)) (local.get $shift)))
        (v128.store (local.get $dst)
          (f32x4.add (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $v))) (local.get $s)) (local.get $b)))
        (v128.store offset=16 (local.get $dst)
          (f32x4.add (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $v))) (local.get $s)) (local.get $b)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br $next))))
)
