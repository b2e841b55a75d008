import { AppError } from '@infer/contracts';
import { Router } from 'express';
import multer from 'multer';
import { sniffImageType } from './image-sniffer.ts';
import type { JobsService } from './jobs.service.ts';

export interface JobsRouteOptions {
  maxUploadBytes: number;
  defaultModel: string;
}

const optionalField = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

export function jobsRoute(jobs: JobsService, options: JobsRouteOptions): Router {
  const router = Router();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: options.maxUploadBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 24 },
  });

  router.post('/v1/jobs', (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next(new AppError('unsupported_media_type', 'send the image as multipart/form-data with field "image"'));
      return;
    }
    upload.single('image')(req, res, next);
  });

  router.post('/v1/jobs', async (req, res) => {
    const file = req.file;
    if (!file) throw new AppError('missing_image', 'the multipart field "image" is required');
    if (!sniffImageType(file.buffer)) {
      throw new AppError('unsupported_media_type', 'the image must be JPEG, PNG or WebP (judged by its content)');
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const accepted = await jobs.submit({
      image: file.buffer,
      model: optionalField(body.model) ?? options.defaultModel,
      version: optionalField(body.version),
      requestId: String(req.id),
    });
    res.status(202).location(`/v1/jobs/${accepted.id}`).json(accepted);
  });

  router.get('/v1/jobs/:id', async (req, res) => {
    res.json(await jobs.get(req.params.id));
  });

  return router;
}
