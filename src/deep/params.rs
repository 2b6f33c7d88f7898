//! The variables of a network: trainable parameters and batch-norm buffers.

use super::ops::Kernels;
use crate::rng::RandomSource;
use anyhow::{Context, Result};
use candle_core::{DType, Device, Tensor, Var};
use std::collections::HashMap;
use std::path::Path;

/// Named variables on one device. Trainable parameters receive gradients; buffers (running
/// statistics) are updated by the forward pass in training mode.
#[derive(Debug)]
pub struct ParamStore {
    device: Device,
    dtype: DType,
    compute: Option<DType>,
    kernels: Kernels,
    trainable: Vec<(String, Var)>,
    buffers: Vec<(String, Var)>,
}

impl ParamStore {
    /// An empty store of f32 variables on `device`.
    pub fn new(device: &Device) -> Self {
        Self::with_dtype(device, DType::F32)
    }
    /// An empty store of `dtype` variables (F32 for training; F64 for gradient checks).
    pub fn with_dtype(device: &Device, dtype: DType) -> Self {
        Self {
            device: device.clone(),
            dtype,
            compute: None,
            kernels: Kernels::default(),
            trainable: Vec::new(),
            buffers: Vec::new(),
        }
    }
    /// The same store whose layers compute their convolutions and matrix products in `compute`
    /// (bf16 mixed precision; `None`: in the variables' dtype).
    pub fn with_compute(mut self, compute: Option<DType>) -> Self {
        self.compute = compute;
        self
    }
    /// The same store whose layers compute with `kernels` (the op layer by default).
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }
    /// The implementation the layers compute with.
    pub fn kernels(&self) -> Kernels {
        self.kernels
    }
    /// The dtype of the layers' products, when it differs from the variables'.
    pub fn compute(&self) -> Option<DType> {
        self.compute
    }
    /// The device of every variable.
    pub fn device(&self) -> &Device {
        &self.device
    }
    fn var(&self, data: Vec<f32>, shape: &[usize]) -> Result<Var> {
        Ok(Var::from_tensor(&Tensor::from_vec(data, shape, &self.device)?.to_dtype(self.dtype)?)?)
    }
    /// A trainable parameter with these values; returns the tensor the layer holds.
    pub fn param(&mut self, name: String, data: Vec<f32>, shape: &[usize]) -> Result<Tensor> {
        let v = self.var(data, shape)?;
        let t = v.as_tensor().clone();
        self.trainable.push((name, v));
        Ok(t)
    }
    /// A buffer (not trained) with these values.
    pub fn buffer(&mut self, name: String, data: Vec<f32>, shape: &[usize]) -> Result<Var> {
        let v = self.var(data, shape)?;
        self.buffers.push((name, v.clone()));
        Ok(v)
    }
    /// A parameter drawn i.i.d. N(0, std²) from `rng`.
    pub fn normal(&mut self, name: String, shape: &[usize], std: f64, rng: &mut dyn RandomSource) -> Result<Tensor> {
        let n = shape.iter().product();
        let data = (0..n).map(|_| (std * rng.standard_normal()) as f32).collect();
        self.param(name, data, shape)
    }
    /// A parameter drawn i.i.d. uniform in [−bound, bound) from `rng`.
    pub fn uniform(&mut self, name: String, shape: &[usize], bound: f64, rng: &mut dyn RandomSource) -> Result<Tensor> {
        let n = shape.iter().product();
        let data = (0..n).map(|_| rng.uniform_in(-bound, bound) as f32).collect();
        self.param(name, data, shape)
    }
    /// A parameter filled with `value`.
    pub fn fill(&mut self, name: String, shape: &[usize], value: f32) -> Result<Tensor> {
        let n = shape.iter().product();
        self.param(name, vec![value; n], shape)
    }
    /// The trainable variables, in creation order.
    pub fn trainable(&self) -> &[(String, Var)] {
        &self.trainable
    }
    /// The buffers, in creation order.
    pub fn buffers(&self) -> &[(String, Var)] {
        &self.buffers
    }
    /// Number of trainable scalars.
    pub fn num_params(&self) -> usize {
        self.trainable.iter().map(|(_, v)| v.elem_count()).sum()
    }
    /// Every variable by name (parameters and buffers), for checkpoints.
    pub fn named_tensors(&self) -> HashMap<String, Tensor> {
        self.trainable.iter().chain(&self.buffers).map(|(n, v)| (n.clone(), v.as_tensor().clone())).collect()
    }
    /// Overwrites every variable from `tensors` (a checkpoint), checking names and shapes.
    pub fn load_from(&self, tensors: &HashMap<String, Tensor>, file: &Path) -> Result<()> {
        for (name, v) in self.trainable.iter().chain(&self.buffers) {
            let t = tensors.get(name).with_context(|| format!("{}: missing tensor `{name}`", file.display()))?;
            anyhow::ensure!(
                t.dims() == v.dims(),
                "{}: tensor `{name}` has shape {:?}, the model expects {:?}",
                file.display(),
                t.dims(),
                v.dims()
            );
            v.set(&t.to_dtype(self.dtype)?.to_device(&self.device)?)?;
        }
        Ok(())
    }
}
