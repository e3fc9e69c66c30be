//! The GPU executor (cargo feature `gpu`): `matmul-i8` on an NVIDIA GPU through cudarc, with
//! the CUDA driver and NVRTC loaded at run time, so the binary builds and runs on machines
//! without CUDA (it then simply has no GPU executor).
//!
//! The operands are generated on the host exactly as the reference does
//! (`basalt_kernels::matmul::matmul_operands`), multiplied on the device with i32
//! accumulators, and returned as i32 little-endian: integer arithmetic only, so the output is
//! bit-identical to the CPU's whatever the order of the additions (|sum| < 2^27 for k <= 4096,
//! no overflow). `blake2-chain` is sequential by definition and stays on the CPU.

use super::{ExecError, Executor, Workload};
use basalt_kernels::matmul::MatmulInput;
use basalt_kernels::Kernel;
use cudarc::driver::{CudaContext, CudaFunction, CudaStream, LaunchConfig, PushKernelArg};
use std::sync::Arc;

/// Threads per block side (a TILE x TILE block computes a TILE x TILE output tile).
const TILE: u32 = 16;

/// CUDA C for the device: tiled i8 x i8 -> i32 matrix product, row-major.
const SOURCE: &str = r#"
extern "C" __global__ void matmul_i8(const signed char* a, const signed char* b, int* c,
                                     int m, int k, int n) {
    __shared__ int as[16][16];
    __shared__ int bs[16][16];
    int row = blockIdx.y * 16 + threadIdx.y;
    int col = blockIdx.x * 16 + threadIdx.x;
    int acc = 0;
    for (int t = 0; t < k; t += 16) {
        int ak = t + threadIdx.x;
        int bk = t + threadIdx.y;
        as[threadIdx.y][threadIdx.x] = (row < m && ak < k) ? (int)a[row * k + ak] : 0;
        bs[threadIdx.y][threadIdx.x] = (bk < k && col < n) ? (int)b[bk * n + col] : 0;
        __syncthreads();
        for (int i = 0; i < 16; ++i) {
            acc += as[threadIdx.y][i] * bs[i][threadIdx.x];
        }
        __syncthreads();
    }
    if (row < m && col < n) {
        c[row * n + col] = acc;
    }
}
"#;

/// `matmul-i8` on one GPU.
pub struct GpuExecutor {
    stream: Arc<CudaStream>,
    function: CudaFunction,
    ordinal: u32,
}

fn device_error(e: impl std::fmt::Debug) -> ExecError {
    ExecError::Crashed(format!("CUDA: {e:?}"))
}

impl GpuExecutor {
    /// The executor on CUDA device `ordinal`, if the driver and NVRTC libraries load and the
    /// device exists; why not otherwise.
    pub fn probe(ordinal: u32) -> Result<Self, String> {
        // SAFETY: only tries to open the shared libraries; no CUDA call is made if absent.
        let present = unsafe {
            cudarc::driver::sys::is_culib_present() && cudarc::nvrtc::sys::is_culib_present()
        };
        if !present {
            return Err("the CUDA driver or NVRTC library is not installed".into());
        }
        let ctx =
            CudaContext::new(ordinal as usize).map_err(|e| format!("device {ordinal}: {e:?}"))?;
        let ptx = cudarc::nvrtc::compile_ptx(SOURCE).map_err(|e| format!("NVRTC: {e:?}"))?;
        let module = ctx
            .load_module(ptx)
            .map_err(|e| format!("loading the kernel: {e:?}"))?;
        let function = module
            .load_function("matmul_i8")
            .map_err(|e| format!("loading the kernel: {e:?}"))?;
        Ok(GpuExecutor {
            stream: ctx.default_stream(),
            function,
            ordinal,
        })
    }

    /// The device it runs on.
    pub fn ordinal(&self) -> u32 {
        self.ordinal
    }

    fn matmul(&self, input: &MatmulInput) -> Result<Vec<u8>, ExecError> {
        let (m, k, n) = (input.m, input.k, input.n);
        let (a, b) = basalt_kernels::matmul::matmul_operands(m, k, n, &input.seed);
        let a = self.stream.clone_htod(&a).map_err(device_error)?;
        let b = self.stream.clone_htod(&b).map_err(device_error)?;
        let mut c = self
            .stream
            .alloc_zeros::<i32>(m as usize * n as usize)
            .map_err(device_error)?;
        let (mi, ki, ni) = (m as i32, k as i32, n as i32);
        let config = LaunchConfig {
            grid_dim: (n.div_ceil(TILE), m.div_ceil(TILE), 1),
            block_dim: (TILE, TILE, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(&self.function);
        launch
            .arg(&a)
            .arg(&b)
            .arg(&mut c)
            .arg(&mi)
            .arg(&ki)
            .arg(&ni);
        // SAFETY: the arguments match the kernel's signature (two i8 arrays of m*k and k*n,
        // an i32 array of m*n, three ints) and every access is bounds-checked on the device.
        unsafe { launch.launch(config) }.map_err(device_error)?;
        let out = self.stream.clone_dtoh(&c).map_err(device_error)?;
        Ok(out.iter().flat_map(|v| v.to_le_bytes()).collect())
    }
}

impl Executor for GpuExecutor {
    fn name(&self) -> &'static str {
        "gpu"
    }

    fn can_run(&self, workload: &Workload) -> bool {
        matches!(workload, Workload::Kernel(Kernel::MatmulI8))
    }

    fn execute(
        &self,
        workload: &Workload,
        input: &[u8],
        max_output: u64,
    ) -> Result<Vec<u8>, ExecError> {
        if !self.can_run(workload) {
            return Err(ExecError::Unsupported);
        }
        let input = MatmulInput::parse(input).map_err(|e| ExecError::BadInput(format!("{e:?}")))?;
        if u64::from(input.m) * u64::from(input.n) * 4 > max_output {
            return Err(ExecError::OutputTooLarge(max_output));
        }
        self.matmul(&input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Encode;

    #[test]
    fn gpu_outputs_equal_the_cpu_for_many_random_inputs() {
        let gpu = match GpuExecutor::probe(0) {
            Ok(gpu) => gpu,
            Err(why) => {
                println!("skipped: no GPU executor ({why})");
                return;
            }
        };
        let mut seed = [0u8; 32];
        let mut cases: Vec<(u32, u32, u32)> = (0..60u32)
            .map(|i| (1 + (i * 37) % 300, 1 + (i * 53) % 300, 1 + (i * 71) % 300))
            .collect();
        cases.extend([
            (1, 1, 1),
            (16, 16, 16),
            (17, 33, 15),
            (1024, 1024, 1024),
            (4096, 64, 4096),
        ]);
        for (i, (m, k, n)) in cases.into_iter().enumerate() {
            seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let input = (m, k, n, seed).encode();
            let workload = Workload::Kernel(Kernel::MatmulI8);
            let cpu = super::super::CpuExecutor
                .execute(&workload, &input, u64::MAX)
                .unwrap();
            let on_gpu = gpu.execute(&workload, &input, u64::MAX).unwrap();
            assert!(cpu == on_gpu, "matmul-i8 {m}x{k}x{n} differs on the GPU");
        }
    }
}
