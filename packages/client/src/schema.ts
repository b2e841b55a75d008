// Generated from the API's OpenAPI document by `pnpm run generate:client` (packages/client/src/codegen/generate.ts).
// Do not edit: packages/client/src/schema.test.ts fails when this file differs from the document.
export interface paths {
    "/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's jobs, newest first, in cursor pages; an expired job leaves the list */
        get: operations["listJobs"];
        put?: never;
        /**
         * Submit an image for classification
         * @description Queues a job and answers `202` at once. With `Prefer: wait=N` the answer waits for the job: `200` with the terminal job if it ends within N seconds, else `202` with its current state.
         */
        post: operations["submitJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs:batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit several images at once (all or nothing), one job each */
        post: operations["submitBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a job (long-poll with `Prefer: wait=N`) */
        get: operations["getJob"];
        put?: never;
        post?: never;
        /** Cancel a queued job (idempotent: a canceled job is answered again) */
        delete: operations["cancelJob"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a queued job (idempotent: a canceled job is answered again) */
        post: operations["cancelJobPost"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stream the state changes of a job (Server-Sent Events)
         * @description One `event: status` per state change, `data` being the job (schema JobView) and `id` its status; the current state comes first and the stream ends after a terminal state. A comment line is sent every 15 s. If the job record disappears mid-stream an `event: error` with an Error body ends it. A reconnect with `Last-Event-ID` equal to the terminal status is answered `204` (which stops EventSource).
         */
        get: operations["streamJobEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/webhook/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a finished job's webhook event again (same webhook-id and body, a new series of attempts) */
        post: operations["redeliverWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The models served, with their input contract, live workers and recent throughput
         * @description `models` is our own view of each model. The same answer is also Replicate's page of models (`results`, each as `GET /v1/models/{owner}/{name}` answers it, and `next` / `previous`, null: every model is in this one page), so that Replicate's `models.list()` and `paginate` find every model.
         */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One model */
        get: operations["getModel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/routing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The model's routing policy and each shadow candidate's agreement with the versions that answered
         * @description `shadow_stats` covers the last `window_seconds`: jobs compared, top-1 agreement, mean absolute score difference, the candidate's inference p50/p95 against the primary's, errors on either side and shadow runs dropped under load.
         */
        get: operations["getModelRouting"];
        /**
         * Set the routing policy (admin): default version, canary share, shadow share; promote and roll back
         * @description Takes effect at the next submission on every API replica. Needs the `admin` scope when auth is on. Every version named must be in the repository. A job that names a version is never rerouted.
         */
        put: operations["putModelRouting"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models:reload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask every worker to look at the model repository now (admin)
         * @description Workers also poll it every `MODEL_REPOSITORY_POLL_SECONDS`. Answers at once with the number of processes that heard the request; watch `GET /v1/models` for `live_versions`, `loading_versions` and `failed_versions`.
         */
        post: operations["reloadModels"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/predictions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's predictions, newest first, in cursor pages */
        get: operations["listPredictions"];
        put?: never;
        /**
         * Create a prediction (a job), as Replicate does
         * @description `input.image` is a data URI, a URL answered by `POST /v1/files`, or an http(s) URL. With `Prefer: wait`, the answer waits for the end; a prediction not finished by then is answered `starting`, so that blocking clients poll.
         */
        post: operations["createPrediction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{owner}/{name}/predictions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a prediction (a job), as Replicate does
         * @description `input.image` is a data URI, a URL answered by `POST /v1/files`, or an http(s) URL. With `Prefer: wait`, the answer waits for the end; a prediction not finished by then is answered `starting`, so that blocking clients poll.
         */
        post: operations["createModelPrediction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/predictions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A prediction */
        get: operations["getPrediction"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/predictions/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a prediction still queued; one that already ran is answered as it is */
        post: operations["cancelPrediction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{owner}/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A model as Replicate describes one (owner `infer`) */
        get: operations["getReplicateModel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/default/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The key webhook deliveries are signed with (when the API is given WEBHOOK_SECRET) */
        get: operations["getWebhookSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Upload a file to name as a prediction input (`urls.get`) */
        post: operations["createFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An uploaded file's description */
        get: operations["getFile"];
        put?: never;
        post?: never;
        /** Delete an uploaded file */
        delete: operations["deleteFile"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An uploaded file's bytes */
        get: operations["downloadFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["liveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: Redis answers and at least one worker heartbeat is recent */
        get: operations["readiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (text exposition format) */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @enum {string} */
        JobStatus: "queued" | "running" | "succeeded" | "failed" | "canceled";
        JobView: {
            id: string;
            status: components["schemas"]["JobStatus"];
            model: string;
            model_version: string | null;
            created_at: string;
            started_at: string | null;
            completed_at: string | null;
            result: {
                predictions: {
                    label: string;
                    score: number;
                }[];
            } | null;
            error: {
                code: string;
                message: string;
            } | null;
            timings: {
                queue_ms: number;
                preprocess_ms: number;
                inference_ms: number;
                batch_size: number;
                /** @enum {string} */
                cache?: "hit" | "shared";
            } | null;
            execution_provider: string | null;
            priority: number;
            metadata: {
                [key: string]: unknown;
            } | null;
            cancel_at: string | null;
            queue_position: number | null;
            eta_ms: number | null;
            waiting_reason: ("no_worker_for_model" | "model_loading" | "workers_busy" | "retry_backoff") | null;
            webhook: {
                url: string;
                events: string[];
                event: string | null;
                event_id: string | null;
                status: ("pending" | "delivered" | "failed") | null;
                attempts: number;
                last_status_code: number | null;
                last_error: string | null;
                last_attempt_at: string | null;
                next_attempt_at: string | null;
                delivered_at: string | null;
            } | null;
            /** @description The job's OpenTelemetry trace id (W3C, 32 hex digits): submission, processing and webhook delivery are one trace, which continues a `traceparent` the client sent. Null when the platform runs without tracing. */
            trace_id: string | null;
        };
        JobAccepted: {
            id: string;
            status: components["schemas"]["JobStatus"];
            model: string;
            created_at: string;
        };
        JobList: {
            jobs: components["schemas"]["JobView"][];
            next_cursor: string | null;
        };
        Prediction: {
            id: string;
            model: string;
            version: string | null;
            input: {
                [key: string]: unknown;
            };
            output: {
                predictions: {
                    label: string;
                    score: number;
                }[];
            } | null;
            logs: string;
            error: string | null;
            /** @enum {string} */
            status: "starting" | "processing" | "succeeded" | "failed" | "canceled";
            data_removed: boolean;
            created_at: string;
            started_at: string | null;
            completed_at: string | null;
            urls: {
                get: string;
                cancel: string;
            };
            metrics: {
                predict_time?: number;
                total_time?: number;
            };
        };
        PredictionList: {
            previous: string | null;
            next: string | null;
            results: components["schemas"]["Prediction"][];
        };
        ReplicateModel: {
            url: string;
            owner: string;
            name: string;
            description: string | null;
            /** @constant */
            visibility: "public";
            github_url: null;
            paper_url: null;
            license_url: null;
            cover_image_url: null;
            default_example: null;
            latest_version: {
                id: string;
                created_at: null;
                cog_version: null;
                openapi_schema: null;
            };
            versions: {
                id: string;
                name: string;
            }[];
        };
        File: {
            id: string;
            name: string;
            content_type: string;
            size: number;
            checksums: {
                sha256: string;
            };
            metadata: {
                [key: string]: unknown;
            };
            created_at: string;
            expires_at: string;
            urls: {
                get: string;
                download: string;
            };
        };
        WebhookSecret: {
            key: string;
        };
        BatchAccepted: {
            jobs: components["schemas"]["JobAccepted"][];
        };
        ModelView: {
            name: string;
            description: string | null;
            labels: string[];
            input: {
                width: number;
                height: number;
                layout: string;
                color_order: string;
                resize: string;
            };
            output: {
                activation: string;
            };
            versions: string[];
            default_version: string;
            max_batch_size: number;
            batch_size_limit: number | null;
            workers: number;
            live_versions: string[];
            available: boolean;
            loading_workers: number;
            throughput_per_second: number;
            loading_versions: string[];
            failed_versions: {
                [key: string]: string;
            };
            routing: {
                default_version: string;
                /** @default null */
                canary: {
                    version: string;
                    /** @description percent of jobs answered by the canary */
                    percent: number;
                } | null;
                /** @default null */
                shadow: {
                    version: string;
                    /** @description percent of jobs also run on the shadow */
                    percent: number;
                } | null;
            } | null;
        };
        ModelList: {
            models: components["schemas"]["ModelView"][];
            results: components["schemas"]["ReplicateModel"][];
            next: null;
            previous: null;
        };
        ModelRoutingView: {
            model: string;
            routing: {
                default_version: string;
                /** @default null */
                canary: {
                    version: string;
                    /** @description percent of jobs answered by the canary */
                    percent: number;
                } | null;
                /** @default null */
                shadow: {
                    version: string;
                    /** @description percent of jobs also run on the shadow */
                    percent: number;
                } | null;
            } | null;
            default_version: string | null;
            shadow_stats: {
                candidate: string;
                window_seconds: number;
                compared: number;
                top1_agreement: number | null;
                mean_abs_score_diff: number | null;
                latency_ms: {
                    primary: {
                        p50: number | null;
                        p95: number | null;
                    };
                    candidate: {
                        p50: number | null;
                        p95: number | null;
                    };
                };
                errors: {
                    primary: number;
                    candidate: number;
                };
                dropped: number;
            }[];
        };
        WebhookRedeliveryAccepted: {
            job_id: string;
            /** @enum {string} */
            event: "job.started" | "job.succeeded" | "job.failed" | "job.canceled";
            event_id: string;
            delivery_id: string;
            /** @constant */
            status: "pending";
        };
        Error: {
            error: {
                /** @enum {string} */
                code: "invalid_request" | "missing_image" | "unknown_model" | "ambiguous_image" | "image_fetch_failed" | "unauthorized" | "forbidden" | "job_not_found" | "route_not_found" | "job_expired" | "model_not_found" | "file_not_found" | "webhook_secret_not_configured" | "idempotency_key_reused" | "idempotency_key_in_progress" | "job_not_cancelable" | "payload_too_large" | "unsupported_media_type" | "rate_limited" | "queue_full" | "internal_error" | "service_unavailable" | "invalid_image" | "image_too_large" | "image_missing" | "inference_failed" | "job_timeout" | "deadline_exceeded" | "url_not_allowed" | "url_fetch_failed" | "url_timeout" | "url_too_large" | "webhook_not_redeliverable";
                message: string;
                details?: unknown;
            };
        };
        Health: {
            /** @constant */
            status: "ok";
        };
        Readiness: {
            /** @enum {string} */
            status: "ready" | "not_ready";
            checks: {
                redis: boolean;
                workers: number;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listJobs: {
        parameters: {
            query?: {
                /** @description page size, 1 to 100 (default LIST_PAGE_SIZE) */
                limit?: number;
                /** @description the `next_cursor` of the previous page (opaque) */
                cursor?: string;
                /** @description one or more, comma-separated: queued, running, succeeded, failed, canceled */
                status?: string;
                model?: string;
                /** @description only jobs created after this time */
                created_after?: string;
                /** @description only jobs created before this time */
                created_before?: string;
            };
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobList"];
                };
            };
            /** @description `invalid_request` */
            400: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "invalid_request";
                        };
                    };
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    submitJob: {
        parameters: {
            query?: {
                /** @description with a raw image body only (multipart and JSON bodies carry it as a field) */
                model?: string;
                /** @description with a raw image body only (multipart and JSON bodies carry it as a field) */
                version?: string;
                /** @description with a raw image body only (multipart and JSON bodies carry it as a field) */
                priority?: string;
                /** @description with a raw image body only (multipart and JSON bodies carry it as a field); JSON object, at most 4096 bytes */
                metadata?: string;
                /** @description with a raw image body only (multipart and JSON bodies carry it as a field) */
                webhook_url?: string;
                /** @description with a raw image body only (multipart and JSON bodies carry it as a field); comma-separated: job.started, job.succeeded, job.failed, job.canceled */
                webhook_events?: string;
            };
            header?: {
                /** @description `wait=N` (RFC 7240): hold the answer until the job is terminal or N seconds (at most 60) have passed, then answer its state; a bare `wait` means 60. The answer carries `Preference-Applied: wait=N`. */
                Prefer?: string;
                /** @description retrying with the same key (per client) answers the original job (`200`, `Idempotent-Replayed: true`) instead of creating another; the same key with a different request is `409 idempotency_key_reused` */
                "Idempotency-Key"?: string;
                /** @description seconds: a job still queued then is canceled (`error.code` `deadline_exceeded`) and never runs */
                "Cancel-After"?: string;
                /** @description `gzip` or `deflate` for JSON and raw bodies; a multipart body cannot be encoded (`415`) */
                "Content-Encoding"?: string;
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description JPEG, PNG or WebP
                     */
                    image: Blob;
                    model?: string;
                    version?: string;
                    priority?: number;
                    /** @description JSON object, at most 4096 bytes */
                    metadata?: string;
                    webhook_url?: string;
                    /** @description comma-separated: job.started, job.succeeded, job.failed, job.canceled */
                    webhook_events?: string;
                };
                "application/json": {
                    model?: string;
                    version?: string;
                    priority?: number;
                    metadata?: {
                        [key: string]: unknown;
                    };
                    webhook_url?: string;
                    webhook_events?: ("job.started" | "job.succeeded" | "job.failed" | "job.canceled")[];
                    image_base64?: string;
                    image_url?: string;
                };
                "image/jpeg": Blob;
                "image/png": Blob;
                "image/webp": Blob;
            };
        };
        responses: {
            /** @description with `Prefer: wait`: the job ended in time; or an `Idempotency-Key` replay (the original job) */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description the wait applied, when `Prefer: wait` was sent */
                    "Preference-Applied"?: string;
                    /** @description `true` when this answers an earlier request with the same Idempotency-Key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description queued (with `Prefer: wait`: the job state when the wait ran out) */
            202: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description /v1/jobs/{id} */
                    Location?: string;
                    /** @description the wait applied, when `Prefer: wait` was sent */
                    "Preference-Applied"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"] | components["schemas"]["JobView"];
                };
            };
            /** @description `invalid_request`, `missing_image`, `ambiguous_image`, `unknown_model`, `url_not_allowed` */
            400: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "invalid_request" | "missing_image" | "ambiguous_image" | "unknown_model" | "url_not_allowed";
                        };
                    };
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `idempotency_key_reused`, `idempotency_key_in_progress` */
            409: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "idempotency_key_reused" | "idempotency_key_in_progress";
                        };
                    };
                };
            };
            /** @description `url_too_large`, `payload_too_large` */
            413: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_too_large" | "payload_too_large";
                        };
                    };
                };
            };
            /** @description `unsupported_media_type` */
            415: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unsupported_media_type";
                        };
                    };
                };
            };
            /** @description `image_fetch_failed` */
            422: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "image_fetch_failed";
                        };
                    };
                };
            };
            /** @description `queue_full`, `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "queue_full" | "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `url_fetch_failed` */
            502: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_fetch_failed";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
            /** @description `url_timeout` */
            504: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_timeout";
                        };
                    };
                };
            };
        };
    };
    submitBatch: {
        parameters: {
            query?: never;
            header?: {
                /** @description retrying with the same key (per client) answers the original job (`200`, `Idempotent-Replayed: true`) instead of creating another; the same key with a different request is `409 idempotency_key_reused` */
                "Idempotency-Key"?: string;
                /** @description seconds: a job still queued then is canceled (`error.code` `deadline_exceeded`) and never runs */
                "Cancel-After"?: string;
                /** @description `gzip` or `deflate` for JSON and raw bodies; a multipart body cannot be encoded (`415`) */
                "Content-Encoding"?: string;
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    image: Blob[];
                    model?: string;
                    version?: string;
                    priority?: number;
                    /** @description JSON object, at most 4096 bytes */
                    metadata?: string;
                    webhook_url?: string;
                    /** @description comma-separated: job.started, job.succeeded, job.failed, job.canceled */
                    webhook_events?: string;
                };
                "application/json": {
                    model?: string;
                    version?: string;
                    priority?: number;
                    metadata?: {
                        [key: string]: unknown;
                    };
                    webhook_url?: string;
                    webhook_events?: ("job.started" | "job.succeeded" | "job.failed" | "job.canceled")[];
                    images: {
                        image_base64?: string;
                        image_url?: string;
                        metadata?: {
                            [key: string]: unknown;
                        };
                    }[];
                };
            };
        };
        responses: {
            /** @description an `Idempotency-Key` replay */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description `true` when this answers an earlier request with the same Idempotency-Key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchAccepted"];
                };
            };
            /** @description one accepted job per image, in request order */
            202: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchAccepted"];
                };
            };
            /** @description `invalid_request`, `missing_image`, `ambiguous_image`, `unknown_model`, `url_not_allowed` */
            400: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "invalid_request" | "missing_image" | "ambiguous_image" | "unknown_model" | "url_not_allowed";
                        };
                    };
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `idempotency_key_reused`, `idempotency_key_in_progress` */
            409: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "idempotency_key_reused" | "idempotency_key_in_progress";
                        };
                    };
                };
            };
            /** @description `url_too_large`, `payload_too_large` */
            413: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_too_large" | "payload_too_large";
                        };
                    };
                };
            };
            /** @description `unsupported_media_type` */
            415: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unsupported_media_type";
                        };
                    };
                };
            };
            /** @description `image_fetch_failed` */
            422: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "image_fetch_failed";
                        };
                    };
                };
            };
            /** @description `queue_full`, `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "queue_full" | "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `url_fetch_failed` */
            502: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_fetch_failed";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
            /** @description `url_timeout` */
            504: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_timeout";
                        };
                    };
                };
            };
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description `wait=N` (RFC 7240): hold the answer until the job is terminal or N seconds (at most 60) have passed, then answer its state; a bare `wait` means 60. The answer carries `Preference-Applied: wait=N`. */
                Prefer?: string;
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description job id (as answered on submission) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the job */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description the wait applied, when `Prefer: wait` was sent */
                    "Preference-Applied"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `job_not_found`, `job_expired` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "job_not_found" | "job_expired";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    cancelJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description job id (as answered on submission) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the canceled job */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `job_not_found`, `job_expired` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "job_not_found" | "job_expired";
                        };
                    };
                };
            };
            /** @description `job_not_cancelable` */
            409: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "job_not_cancelable";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    cancelJobPost: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description job id (as answered on submission) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the canceled job */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `job_not_found`, `job_expired` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "job_not_found" | "job_expired";
                        };
                    };
                };
            };
            /** @description `job_not_cancelable` */
            409: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "job_not_cancelable";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    streamJobEvents: {
        parameters: {
            query?: never;
            header?: {
                /** @description the last event id seen (a status), when reconnecting */
                "Last-Event-ID"?: string;
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description job id (as answered on submission) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description event stream; each `data` line is a JobView */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description the job already ended and the client saw it (`Last-Event-ID`) */
            204: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `job_not_found`, `job_expired` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "job_not_found" | "job_expired";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    redeliverWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description job id (as answered on submission) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description redelivery queued */
            202: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookRedeliveryAccepted"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `job_not_found`, `job_expired` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "job_not_found" | "job_expired";
                        };
                    };
                };
            };
            /** @description `webhook_not_redeliverable` */
            409: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "webhook_not_redeliverable";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    listModels: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description models */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    getModel: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the model */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelView"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `model_not_found` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "model_not_found";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    getModelRouting: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description routing and shadow stats */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelRoutingView"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `model_not_found` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "model_not_found";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    putModelRouting: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    default_version: string;
                    /** @default null */
                    canary?: {
                        version: string;
                        /** @description percent of jobs answered by the canary */
                        percent: number;
                    } | null;
                    /** @default null */
                    shadow?: {
                        version: string;
                        /** @description percent of jobs also run on the shadow */
                        percent: number;
                    } | null;
                };
            };
        };
        responses: {
            /** @description the policy now in force, with shadow stats */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelRoutingView"];
                };
            };
            /** @description `invalid_request` */
            400: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "invalid_request";
                        };
                    };
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `forbidden` */
            403: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "forbidden";
                        };
                    };
                };
            };
            /** @description `model_not_found` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "model_not_found";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    reloadModels: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the request was published */
            202: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        notified: number;
                    };
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `forbidden` */
            403: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "forbidden";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    listPredictions: {
        parameters: {
            query?: {
                /** @description page size, 1 to 100 (default LIST_PAGE_SIZE) */
                limit?: number;
                /** @description the `next_cursor` of the previous page (opaque) */
                cursor?: string;
            };
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PredictionList"];
                };
            };
            /** @description `invalid_request` */
            400: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "invalid_request";
                        };
                    };
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    createPrediction: {
        parameters: {
            query?: never;
            header?: {
                /** @description `wait=N` (RFC 7240): hold the answer until the job is terminal or N seconds (at most 60) have passed, then answer its state; a bare `wait` means 60. The answer carries `Preference-Applied: wait=N`. */
                Prefer?: string;
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    version?: string;
                    input: {
                        image: string;
                    };
                    webhook?: string;
                    webhook_events_filter?: ("start" | "output" | "logs" | "completed")[];
                    stream?: boolean;
                };
            };
        };
        responses: {
            /** @description the prediction */
            201: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description its `urls.get` */
                    Location?: string;
                    /** @description the wait applied, when `Prefer: wait` was sent */
                    "Preference-Applied"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Prediction"];
                };
            };
            /** @description `invalid_request`, `url_not_allowed` */
            400: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "invalid_request" | "url_not_allowed";
                        };
                    };
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `model_not_found` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "model_not_found";
                        };
                    };
                };
            };
            /** @description `payload_too_large`, `url_too_large` */
            413: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "payload_too_large" | "url_too_large";
                        };
                    };
                };
            };
            /** @description `unsupported_media_type` */
            415: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unsupported_media_type";
                        };
                    };
                };
            };
            /** @description `image_fetch_failed` */
            422: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "image_fetch_failed";
                        };
                    };
                };
            };
            /** @description `queue_full`, `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "queue_full" | "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `url_fetch_failed` */
            502: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_fetch_failed";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
            /** @description `url_timeout` */
            504: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_timeout";
                        };
                    };
                };
            };
        };
    };
    createModelPrediction: {
        parameters: {
            query?: never;
            header?: {
                /** @description `wait=N` (RFC 7240): hold the answer until the job is terminal or N seconds (at most 60) have passed, then answer its state; a bare `wait` means 60. The answer carries `Preference-Applied: wait=N`. */
                Prefer?: string;
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                owner: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    version?: string;
                    input: {
                        image: string;
                    };
                    webhook?: string;
                    webhook_events_filter?: ("start" | "output" | "logs" | "completed")[];
                    stream?: boolean;
                };
            };
        };
        responses: {
            /** @description the prediction */
            201: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description its `urls.get` */
                    Location?: string;
                    /** @description the wait applied, when `Prefer: wait` was sent */
                    "Preference-Applied"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Prediction"];
                };
            };
            /** @description `invalid_request`, `url_not_allowed` */
            400: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "invalid_request" | "url_not_allowed";
                        };
                    };
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `model_not_found` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "model_not_found";
                        };
                    };
                };
            };
            /** @description `payload_too_large`, `url_too_large` */
            413: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "payload_too_large" | "url_too_large";
                        };
                    };
                };
            };
            /** @description `unsupported_media_type` */
            415: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unsupported_media_type";
                        };
                    };
                };
            };
            /** @description `image_fetch_failed` */
            422: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "image_fetch_failed";
                        };
                    };
                };
            };
            /** @description `queue_full`, `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "queue_full" | "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `url_fetch_failed` */
            502: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_fetch_failed";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
            /** @description `url_timeout` */
            504: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "url_timeout";
                        };
                    };
                };
            };
        };
    };
    getPrediction: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description prediction id (= job id) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the prediction */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Prediction"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `job_not_found`, `job_expired` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "job_not_found" | "job_expired";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    cancelPrediction: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description prediction id (= job id) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the prediction */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Prediction"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `job_not_found`, `job_expired` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "job_not_found" | "job_expired";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    getReplicateModel: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                owner: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the model */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReplicateModel"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `model_not_found` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "model_not_found";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    getWebhookSecret: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the signing key */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSecret"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `webhook_secret_not_configured` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "webhook_secret_not_configured";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    createFile: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    content: Blob;
                    /** @description JSON object */
                    metadata?: string;
                };
            };
        };
        responses: {
            /** @description the file */
            201: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            /** @description `missing_image`, `invalid_request` */
            400: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "missing_image" | "invalid_request";
                        };
                    };
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `payload_too_large` */
            413: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "payload_too_large";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    getFile: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the file */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `file_not_found` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "file_not_found";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    deleteFile: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `file_not_found` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "file_not_found";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    downloadFile: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the bytes */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": Blob;
                };
            };
            /** @description `unauthorized` */
            401: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "unauthorized";
                        };
                    };
                };
            };
            /** @description `file_not_found` */
            404: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "file_not_found";
                        };
                    };
                };
            };
            /** @description `rate_limited` */
            429: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "rate_limited";
                        };
                    };
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description requests allowed per window (when RATE_LIMIT_PER_MINUTE is set) */
                    "RateLimit-Limit"?: number;
                    /** @description requests left in the window */
                    "RateLimit-Remaining"?: number;
                    /** @description seconds until the window resets */
                    "RateLimit-Reset"?: number;
                    /** @description the limit and window, e.g. `60;w=60` */
                    "RateLimit-Policy"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    liveness: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description alive */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    readiness: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description not ready */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description metrics */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description `internal_error` */
            500: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "internal_error";
                        };
                    };
                };
            };
            /** @description `service_unavailable` */
            503: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] & {
                        error?: {
                            /** @enum {unknown} */
                            code?: "service_unavailable";
                        };
                    };
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: {
                /** @description an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 document */
            200: {
                headers: {
                    /** @description the request id (the one sent, if valid, else a new one); every log line of the job carries it */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
        };
    };
}
