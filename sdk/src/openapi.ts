/**
 * GENERATED from openapi.json by openapi-typescript — do not edit.
 * Regenerate with `npm run openapi` (server document, then these types).
 */
export interface paths {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public keys that verify Clientele access tokens */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keys: {
                                [key: string]: unknown;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth2/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * OAuth 2.0 client-credentials grant (RFC 6749 §4.4)
         * @description client_id = key id, client_secret = secret; form body, JSON body, query or HTTP Basic.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/token/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Obtain an access and refresh token with a username and password
         * @description A user with two-factor authentication also sends `otp` (a TOTP code or a recovery code). username/password: an account user's e-mail and password; with client_uid the token is scoped to that client. Or, with client_uid, that client's own username and password. Or a key id and its secret.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        username: string;
                        password: string;
                        /** Format: uuid */
                        client_uid?: string;
                        otp?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            access: string;
                            refresh: string;
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            errorCode: string;
                            errorMessage: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/token/refresh/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange a refresh token for a new access token */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        refresh: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            access: string;
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            errorCode: string;
                            errorMessage: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List clients (cursor pagination, search and filters) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    /** @description Substring of name, username, e-mail or company */
                    q?: string;
                    username?: string;
                    emailAddress?: string;
                    isActive?: boolean;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Client"][];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a client */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Required unless company, first/last name or username is given */
                        name?: string;
                        description?: string | null;
                        siret?: string | null;
                        username?: string | null;
                        emailAddress?: string | null;
                        firstName?: string | null;
                        lastName?: string | null;
                        company?: string | null;
                        /** @description Write-only */
                        password?: string;
                        /** @description Import a bcrypt hash (write-only) */
                        passwordHash?: string;
                        isActive?: boolean;
                        /** @description Feature switches */
                        features?: {
                            [key: string]: boolean;
                        };
                        /** @description Limits; -1 = unlimited */
                        limits?: {
                            [key: string]: number;
                        };
                        /** @description Small JSON object (≤ 8 KiB) */
                        metadata?: {
                            [key: string]: unknown;
                        };
                        ratelimits?: {
                            /** @description Unique on its owner; a verify names it in `ratelimits` */
                            name: string;
                            /** @description Units per window */
                            limit: number;
                            /** @description Window length, milliseconds (windows are aligned to the epoch) */
                            duration: number;
                            /** @description Default false: checked only when a verify names it */
                            autoApply?: boolean;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            description: string | null;
                            siret: string | null;
                            username: string | null;
                            emailAddress: string | null;
                            firstName: string | null;
                            lastName: string | null;
                            company: string | null;
                            hasPassword: boolean;
                            isActive: boolean;
                            /** @description Feature switches */
                            features: {
                                [key: string]: boolean;
                            };
                            /** @description Limits; -1 = unlimited */
                            limits: {
                                [key: string]: number;
                            };
                            /** @description Small JSON object (≤ 8 KiB) */
                            metadata: {
                                [key: string]: unknown;
                            };
                            ratelimits: {
                                /** @description Unique on its owner; a verify names it in `ratelimits` */
                                name: string;
                                /** @description Units per window */
                                limit: number;
                                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                                duration: number;
                                /** @description Checked on every verify; otherwise only when the verify names it */
                                autoApply: boolean;
                            }[];
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create many clients at once (each item answered on its own)
         * @description Up to 1,000 clients in one transaction. Each item is validated and answered on its own, in `results` (same order): 201 with the client, or the problem a single `POST /v1/clients` of that item would have answered (`error`, its field named in `errors`) — an invalid item stops no other. The answer is 200 whenever the batch itself was valid, whatever its items' outcomes; an error of the batch as a whole (its envelope, permission, a database failure) is a problem answer and creates nothing. An Idempotency-Key header replays the whole answer; `idempotencyKeys` gives each item its own key.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Clients to create; each item is checked and answered on its own (an invalid one stops no other) */
                        items: {
                            /** @description Required unless company, first/last name or username is given */
                            name?: string;
                            description?: string | null;
                            siret?: string | null;
                            username?: string | null;
                            emailAddress?: string | null;
                            firstName?: string | null;
                            lastName?: string | null;
                            company?: string | null;
                            /** @description Write-only */
                            password?: string;
                            /** @description Import a bcrypt hash (write-only) */
                            passwordHash?: string;
                            isActive?: boolean;
                            /** @description Feature switches */
                            features?: {
                                [key: string]: boolean;
                            };
                            /** @description Limits; -1 = unlimited */
                            limits?: {
                                [key: string]: number;
                            };
                            /** @description Small JSON object (≤ 8 KiB) */
                            metadata?: {
                                [key: string]: unknown;
                            };
                            ratelimits?: {
                                /** @description Unique on its owner; a verify names it in `ratelimits` */
                                name: string;
                                /** @description Units per window */
                                limit: number;
                                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                                duration: number;
                                /** @description Default false: checked only when a verify names it */
                                autoApply?: boolean;
                            }[];
                        }[];
                        /** @description One per item (null: none): item i's Idempotency-Key, exactly as if it were sent alone to POST /v1/clients with that header — the item is created once per key (24 hours) and its response replayed after, by this route or the single create alike */
                        idempotencyKeys?: (string | null)[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description One per item, in the order of `items` */
                            results: {
                                /** @description The position of the item in `items` */
                                index: number;
                                /** @description 201 when the client was created (or replayed), otherwise the status of `error` */
                                status: number;
                                /** @description Answered from the item's Idempotency-Key record: created by an earlier request */
                                replayed?: boolean;
                                client?: components["schemas"]["Client"];
                                error?: components["schemas"]["Problem"];
                            }[];
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a client */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            description: string | null;
                            siret: string | null;
                            username: string | null;
                            emailAddress: string | null;
                            firstName: string | null;
                            lastName: string | null;
                            company: string | null;
                            hasPassword: boolean;
                            isActive: boolean;
                            /** @description Feature switches */
                            features: {
                                [key: string]: boolean;
                            };
                            /** @description Limits; -1 = unlimited */
                            limits: {
                                [key: string]: number;
                            };
                            /** @description Small JSON object (≤ 8 KiB) */
                            metadata: {
                                [key: string]: unknown;
                            };
                            ratelimits: {
                                /** @description Unique on its owner; a verify names it in `ratelimits` */
                                name: string;
                                /** @description Units per window */
                                limit: number;
                                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                                duration: number;
                                /** @description Checked on every verify; otherwise only when the verify names it */
                                autoApply: boolean;
                            }[];
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a client, its keys and its data key */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Update a client (absent = unchanged, null = cleared) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        description?: string | null;
                        siret?: string | null;
                        username?: string | null;
                        emailAddress?: string | null;
                        firstName?: string | null;
                        lastName?: string | null;
                        company?: string | null;
                        /** @description Write-only */
                        password?: string;
                        /** @description Import a bcrypt hash (write-only) */
                        passwordHash?: string;
                        isActive?: boolean;
                        /** @description Feature switches */
                        features?: {
                            [key: string]: boolean;
                        };
                        /** @description Limits; -1 = unlimited */
                        limits?: {
                            [key: string]: number;
                        };
                        /** @description Small JSON object (≤ 8 KiB) */
                        metadata?: {
                            [key: string]: unknown;
                        };
                        ratelimits?: {
                            /** @description Unique on its owner; a verify names it in `ratelimits` */
                            name: string;
                            /** @description Units per window */
                            limit: number;
                            /** @description Window length, milliseconds (windows are aligned to the epoch) */
                            duration: number;
                            /** @description Default false: checked only when a verify names it */
                            autoApply?: boolean;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            description: string | null;
                            siret: string | null;
                            username: string | null;
                            emailAddress: string | null;
                            firstName: string | null;
                            lastName: string | null;
                            company: string | null;
                            hasPassword: boolean;
                            isActive: boolean;
                            /** @description Feature switches */
                            features: {
                                [key: string]: boolean;
                            };
                            /** @description Limits; -1 = unlimited */
                            limits: {
                                [key: string]: number;
                            };
                            /** @description Small JSON object (≤ 8 KiB) */
                            metadata: {
                                [key: string]: unknown;
                            };
                            ratelimits: {
                                /** @description Unique on its owner; a verify names it in `ratelimits` */
                                name: string;
                                /** @description Units per window */
                                limit: number;
                                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                                duration: number;
                                /** @description Checked on every verify; otherwise only when the verify names it */
                                autoApply: boolean;
                            }[];
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/clients/{id}/activate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Activate a client */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            description: string | null;
                            siret: string | null;
                            username: string | null;
                            emailAddress: string | null;
                            firstName: string | null;
                            lastName: string | null;
                            company: string | null;
                            hasPassword: boolean;
                            isActive: boolean;
                            /** @description Feature switches */
                            features: {
                                [key: string]: boolean;
                            };
                            /** @description Limits; -1 = unlimited */
                            limits: {
                                [key: string]: number;
                            };
                            /** @description Small JSON object (≤ 8 KiB) */
                            metadata: {
                                [key: string]: unknown;
                            };
                            ratelimits: {
                                /** @description Unique on its owner; a verify names it in `ratelimits` */
                                name: string;
                                /** @description Units per window */
                                limit: number;
                                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                                duration: number;
                                /** @description Checked on every verify; otherwise only when the verify names it */
                                autoApply: boolean;
                            }[];
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/{id}/deactivate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deactivate a client (its keys and tokens stop working at once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            description: string | null;
                            siret: string | null;
                            username: string | null;
                            emailAddress: string | null;
                            firstName: string | null;
                            lastName: string | null;
                            company: string | null;
                            hasPassword: boolean;
                            isActive: boolean;
                            /** @description Feature switches */
                            features: {
                                [key: string]: boolean;
                            };
                            /** @description Limits; -1 = unlimited */
                            limits: {
                                [key: string]: number;
                            };
                            /** @description Small JSON object (≤ 8 KiB) */
                            metadata: {
                                [key: string]: unknown;
                            };
                            ratelimits: {
                                /** @description Unique on its owner; a verify names it in `ratelimits` */
                                name: string;
                                /** @description Units per window */
                                limit: number;
                                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                                duration: number;
                                /** @description Checked on every verify; otherwise only when the verify names it */
                                autoApply: boolean;
                            }[];
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API keys (of the account, or of one client) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    clientId?: string;
                    owner?: "account" | "client";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ApiKey"][];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create an API key (the secret is shown only in this response) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        clientId?: string | null;
                        name?: string | null;
                        isPrimary?: boolean;
                        expiresAt?: string | null;
                        scopes?: string[];
                        /** @description An account key's management permissions; default on create: the caller's own. Never more than the caller holds. */
                        permissions?: ("clients:read" | "clients:write" | "keys:read" | "keys:write" | "keys:verify" | "integrations:write" | "webhooks:read" | "webhooks:write" | "events:read" | "usage:read" | "usage:write" | "users:read" | "users:write" | "account:write" | "ratelimit:check" | "ratelimit:read" | "ratelimit:write" | "*")[];
                        ratelimits?: {
                            /** @description Unique on its owner; a verify names it in `ratelimits` */
                            name: string;
                            /** @description Units per window */
                            limit: number;
                            /** @description Window length, milliseconds (windows are aligned to the epoch) */
                            duration: number;
                            /** @description Default false: checked only when a verify names it */
                            autoApply?: boolean;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            key: components["schemas"]["ApiKey"];
                            /** @description Shown only in this response */
                            secret: string;
                            /** @description Single-string form (X-API-Key); shown only in this response */
                            token: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify a key (token, or key id and secret); a wrong secret answers like an unknown key */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description Either the token, or the key id and secret */
            requestBody: {
                content: {
                    "application/json": {
                        token: string;
                        /** @description Dimension of the metered call (e.g. a domain); counted under the client's `calls` */
                        dimension?: string;
                        /** @description Limits to check besides the auto-applied ones: the key's, its client's or the account's, by name */
                        ratelimits?: {
                            name: string;
                            /** @description Units this call spends (default 1; 0 only reads the limit) */
                            cost?: number;
                        }[];
                    } | {
                        keyId: string;
                        secret: string;
                        /** @description Dimension of the metered call (e.g. a domain); counted under the client's `calls` */
                        dimension?: string;
                        /** @description Limits to check besides the auto-applied ones: the key's, its client's or the account's, by name */
                        ratelimits?: {
                            name: string;
                            /** @description Units this call spends (default 1; 0 only reads the limit) */
                            cost?: number;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            valid: boolean;
                            code: "VALID" | "NOT_FOUND" | "EXPIRED" | "DISABLED" | "CLIENT_INACTIVE" | "USAGE_EXCEEDED" | "RATE_LIMITED";
                            keyId?: string;
                            /** Format: uuid */
                            accountId?: string;
                            clientId?: string | null;
                            expiresAt?: string | null;
                            scopes?: string[];
                            /** @description Every limit checked (empty unless the key is otherwise valid) */
                            ratelimits: {
                                name: string;
                                limit: number;
                                remaining: number;
                                /** @description When the window ends, epoch milliseconds */
                                reset: number;
                                exceeded: boolean;
                            }[];
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an API key (never its secret) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Public key id */
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            name: string | null;
                            clientId: string | null;
                            isPrimary: boolean;
                            enabled: boolean;
                            /** @description The platform's application scopes, returned by verify */
                            scopes: string[];
                            /** @description Management permissions of an account key (empty for a client's key) */
                            permissions: string[];
                            ratelimits: {
                                /** @description Unique on its owner; a verify names it in `ratelimits` */
                                name: string;
                                /** @description Units per window */
                                limit: number;
                                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                                duration: number;
                                /** @description Checked on every verify; otherwise only when the verify names it */
                                autoApply: boolean;
                            }[];
                            /** @description Last characters of the secret, for recognising a key */
                            hint: string;
                            expiresAt: string | null;
                            lastUsedAt: string | null;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete an API key (not the primary key) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Public key id */
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Update an API key (name, primary, enabled, expiry, scopes, permissions, rate limits) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Public key id */
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string | null;
                        isPrimary?: boolean;
                        enabled?: boolean;
                        expiresAt?: string | null;
                        scopes?: string[];
                        /** @description An account key's management permissions; default on create: the caller's own. Never more than the caller holds. */
                        permissions?: ("clients:read" | "clients:write" | "keys:read" | "keys:write" | "keys:verify" | "integrations:write" | "webhooks:read" | "webhooks:write" | "events:read" | "usage:read" | "usage:write" | "users:read" | "users:write" | "account:write" | "ratelimit:check" | "ratelimit:read" | "ratelimit:write" | "*")[];
                        ratelimits?: {
                            /** @description Unique on its owner; a verify names it in `ratelimits` */
                            name: string;
                            /** @description Units per window */
                            limit: number;
                            /** @description Window length, milliseconds (windows are aligned to the epoch) */
                            duration: number;
                            /** @description Default false: checked only when a verify names it */
                            autoApply?: boolean;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            name: string | null;
                            clientId: string | null;
                            isPrimary: boolean;
                            enabled: boolean;
                            /** @description The platform's application scopes, returned by verify */
                            scopes: string[];
                            /** @description Management permissions of an account key (empty for a client's key) */
                            permissions: string[];
                            ratelimits: {
                                /** @description Unique on its owner; a verify names it in `ratelimits` */
                                name: string;
                                /** @description Units per window */
                                limit: number;
                                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                                duration: number;
                                /** @description Checked on every verify; otherwise only when the verify names it */
                                autoApply: boolean;
                            }[];
                            /** @description Last characters of the secret, for recognising a key */
                            hint: string;
                            expiresAt: string | null;
                            lastUsedAt: string | null;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/keys/{keyId}/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue a new secret; the old one may keep working for a grace period */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Public key id */
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        gracePeriodSeconds?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            key: components["schemas"]["ApiKey"];
                            /** @description Shown only in this response */
                            secret: string;
                            /** @description Single-string form (X-API-Key); shown only in this response */
                            token: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List events (the audit log), oldest first (or newest first with order=desc) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    type?: string;
                    clientId?: string;
                    /** @description Who acted: a user's, a key's or a client's id */
                    actorId?: string;
                    /** @description Created at or after (RFC 3339) */
                    since?: string;
                    /** @description Created before (RFC 3339) */
                    until?: string;
                    /** @description asc (default): oldest first; desc: newest first */
                    order?: "asc" | "desc";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Event"][];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/{id}/integrations/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an integration (secret fields are never returned) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    kind: "pdp" | "chorus-pro";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            kind: "pdp" | "chorus-pro";
                            settings: {
                                [key: string]: string | boolean | null;
                            };
                            encryptionMode: "fernet" | "double";
                            secretStatus: {
                                /** @enum {string} */
                                status: "active";
                                requiresClientKey: boolean;
                            };
                            lastTestAt: string | null;
                            lastTestSuccess: boolean | null;
                            lastTestError: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        /** Create or replace an integration */
        put: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Base64 AES-256 key for double encryption; never stored */
                    "x-encryption-key"?: string;
                };
                path: {
                    id: string;
                    kind: "pdp" | "chorus-pro";
                };
                cookie?: never;
            };
            /** @description pdp: flowServiceUrl, tokenUrl, oauthClientId, clientSecret. chorus-pro: apiUrl, tokenUrl, oauthClientId, technicalLogin, clientSecret, technicalPassword. `double` needs X-Encryption-Key. */
            requestBody: {
                content: {
                    "application/json": {
                        isActive?: boolean;
                        modeSandbox?: boolean;
                        flowServiceUrl?: string;
                        apiUrl?: string;
                        tokenUrl?: string;
                        oauthClientId?: string;
                        technicalLogin?: string;
                        /** @description Write-only */
                        clientSecret?: string;
                        /** @description Write-only */
                        technicalPassword?: string;
                        /** @default fernet */
                        encryptionMode?: "fernet" | "double";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            kind: "pdp" | "chorus-pro";
                            settings: {
                                [key: string]: string | boolean | null;
                            };
                            encryptionMode: "fernet" | "double";
                            secretStatus: {
                                /** @enum {string} */
                                status: "active";
                                requiresClientKey: boolean;
                            };
                            lastTestAt: string | null;
                            lastTestSuccess: boolean | null;
                            lastTestError: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        post?: never;
        /** Delete an integration */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    kind: "pdp" | "chorus-pro";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/{id}/integrations/{kind}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Test the stored credentials: an OAuth client-credentials request to the stored tokenUrl; the outcome is recorded */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Base64 AES-256 key for double encryption; never stored */
                    "x-encryption-key"?: string;
                };
                path: {
                    id: string;
                    kind: "pdp" | "chorus-pro";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            kind: "pdp" | "chorus-pro";
                            settings: {
                                [key: string]: string | boolean | null;
                            };
                            encryptionMode: "fernet" | "double";
                            secretStatus: {
                                /** @enum {string} */
                                status: "active";
                                requiresClientKey: boolean;
                            };
                            lastTestAt: string | null;
                            lastTestSuccess: boolean | null;
                            lastTestError: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/{id}/rotate-encryption-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Re-encrypt all the client's double-encrypted secrets from oldKey to newKey (all or nothing) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        oldKey: string;
                        newKey: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            rotatedCount: number;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/{id}/webhook-secret/generate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Generate (or replace) the client's webhook signing secret — shown only in this response */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            webhookSecret: string;
                            /** Format: date-time */
                            createdAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/{id}/webhook-secret/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the client has its own webhook secret */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            hasSecret: boolean;
                            createdAt: string | null;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/{id}/webhook-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete the client's webhook secret (the account default then signs) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/clients/{id}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage per metric: all-time total, one month, and by dimension */
        get: {
            parameters: {
                query?: {
                    /** @description YYYY-MM (UTC); default the current month */
                    month?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            clientId: string;
                            month: string;
                            metrics: {
                                metric: string;
                                total: number;
                                /** @description Value in the requested month */
                                month: number;
                                limit: number | null;
                                monthlyLimit: number | null;
                                byDimension: {
                                    dimension: string;
                                    total: number;
                                    month: number;
                                }[];
                            }[];
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Report usage (one event or a batch; all or nothing, checked against the client limits) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description e.g. calls, domains, whitelabels, widgetDisplays */
                        metric: string;
                        /** @description Non-zero, from -10^12 to 10^12; negative values lower a gauge such as domains. No counter may pass ±(2^53 - 1) (USAGE_COUNTER_OVERFLOW) */
                        amount: number;
                        dimension?: string;
                        /** Format: date-time */
                        at?: string;
                    } | {
                        events: {
                            /** @description e.g. calls, domains, whitelabels, widgetDisplays */
                            metric: string;
                            /** @description Non-zero, from -10^12 to 10^12; negative values lower a gauge such as domains. No counter may pass ±(2^53 - 1) (USAGE_COUNTER_OVERFLOW) */
                            amount: number;
                            dimension?: string;
                            /** Format: date-time */
                            at?: string;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            recorded: number;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List webhook endpoints */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                /** Format: uuid */
                                id: string;
                                url: string;
                                events: string[] | null;
                                clientId: string | null;
                                /** @description native: {id, type, createdAt, data}; factpulse: {event_type, data} */
                                format: "native" | "factpulse";
                                enabled: boolean;
                                disabledReason: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a webhook endpoint */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description http(s) URL; private and loopback addresses are refused unless allowed by CLIENTELE_WEBHOOK_ALLOW_HOSTS */
                        url: string;
                        events?: string[] | null;
                        clientId?: string | null;
                        /** @description native: {id, type, createdAt, data}; factpulse: {event_type, data} */
                        format?: "native" | "factpulse";
                        enabled?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            url: string;
                            events: string[] | null;
                            clientId: string | null;
                            /** @description native: {id, type, createdAt, data}; factpulse: {event_type, data} */
                            format: "native" | "factpulse";
                            enabled: boolean;
                            disabledReason: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a webhook endpoint */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            url: string;
                            events: string[] | null;
                            clientId: string | null;
                            /** @description native: {id, type, createdAt, data}; factpulse: {event_type, data} */
                            format: "native" | "factpulse";
                            enabled: boolean;
                            disabledReason: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a webhook endpoint */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Update a webhook endpoint (enabling it again clears its failure state) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description http(s) URL; private and loopback addresses are refused unless allowed by CLIENTELE_WEBHOOK_ALLOW_HOSTS */
                        url?: string;
                        events?: string[] | null;
                        clientId?: string | null;
                        /** @description native: {id, type, createdAt, data}; factpulse: {event_type, data} */
                        format?: "native" | "factpulse";
                        enabled?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            url: string;
                            events: string[] | null;
                            clientId: string | null;
                            /** @description native: {id, type, createdAt, data}; factpulse: {event_type, data} */
                            format: "native" | "factpulse";
                            enabled: boolean;
                            disabledReason: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An endpoint's delivery log, newest first */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                /** Format: uuid */
                                id: string;
                                /** Format: uuid */
                                endpointId: string;
                                /** Format: uuid */
                                eventId: string;
                                eventType: string;
                                status: "pending" | "sending" | "succeeded" | "failed" | "waiting_secret";
                                attempts: number;
                                responseStatus: number | null;
                                responseBody: string | null;
                                latencyMs: number | null;
                                lastError: string | null;
                                lastAttemptAt: string | null;
                                nextAttemptAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a webhook.test event to this endpoint only */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            endpointId: string;
                            /** Format: uuid */
                            eventId: string;
                            eventType: string;
                            status: "pending" | "sending" | "succeeded" | "failed" | "waiting_secret";
                            attempts: number;
                            responseStatus: number | null;
                            responseBody: string | null;
                            latencyMs: number | null;
                            lastError: string | null;
                            lastAttemptAt: string | null;
                            nextAttemptAt: string | null;
                            /** Format: date-time */
                            createdAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries/{id}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a delivery again now */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            endpointId: string;
                            /** Format: uuid */
                            eventId: string;
                            eventType: string;
                            status: "pending" | "sending" | "succeeded" | "failed" | "waiting_secret";
                            attempts: number;
                            responseStatus: number | null;
                            responseBody: string | null;
                            latencyMs: number | null;
                            lastError: string | null;
                            lastAttemptAt: string | null;
                            nextAttemptAt: string | null;
                            /** Format: date-time */
                            createdAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-secret/generate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Generate (or replace) the account's default webhook secret — shown only in this response */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Keep signing with the replaced secret too for this long */
                        gracePeriodSeconds?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            webhookSecret: string;
                            /** Format: date-time */
                            createdAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-secret/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the account has a default webhook secret */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            hasSecret: boolean;
                            createdAt: string | null;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete the account's default webhook secret */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the account's users */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["User"][];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a user (its one-time setup password is shown only in this response) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: email */
                        email: string;
                        /** @description owner: everything; admin: everything but users and account settings; viewer: every :read */
                        role: "owner" | "admin" | "viewer";
                        /** @description Given beyond the role's */
                        permissions?: ("clients:read" | "clients:write" | "keys:read" | "keys:write" | "keys:verify" | "integrations:write" | "webhooks:read" | "webhooks:write" | "events:read" | "usage:read" | "usage:write" | "users:read" | "users:write" | "account:write" | "ratelimit:check" | "ratelimit:read" | "ratelimit:write" | "*")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            user: components["schemas"]["User"];
                            /** @description Shown once. The user signs in with it and sets their own password (at least 12 characters). */
                            setupPassword: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The user this credential acts as */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            email: string;
                            /** @description owner: everything; admin: everything but users and account settings; viewer: every :read */
                            role: "owner" | "admin" | "viewer";
                            permissions: string[];
                            twoFactorEnabled: boolean;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change your own password (the current one is required) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        currentPassword: string;
                        newPassword: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/me/2fa": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start two-factor enrolment: a new TOTP secret and its otpauth:// URI (shown once; nothing changes until confirmed) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description base32 */
                            secret: string;
                            otpauthUri: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/me/2fa/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Turn two-factor authentication on with a code of the enrolled secret; the ten recovery codes are shown only in this response */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A TOTP code (or, to disable, a recovery code) */
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            recoveryCodes: string[];
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/me/2fa/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Turn two-factor authentication off (a current code or a recovery code) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A TOTP code (or, to disable, a recovery code) */
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a user */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            email: string;
                            /** @description owner: everything; admin: everything but users and account settings; viewer: every :read */
                            role: "owner" | "admin" | "viewer";
                            permissions: string[];
                            twoFactorEnabled: boolean;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Remove a user (not the last owner) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a user's role or permissions (never beyond your own; the last owner stays an owner) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description owner: everything; admin: everything but users and account settings; viewer: every :read */
                        role?: "owner" | "admin" | "viewer";
                        /** @description Given beyond the role's */
                        permissions?: ("clients:read" | "clients:write" | "keys:read" | "keys:write" | "keys:verify" | "integrations:write" | "webhooks:read" | "webhooks:write" | "events:read" | "usage:read" | "usage:write" | "users:read" | "users:write" | "account:write" | "ratelimit:check" | "ratelimit:read" | "ratelimit:write" | "*")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            email: string;
                            /** @description owner: everything; admin: everything but users and account settings; viewer: every :read */
                            role: "owner" | "admin" | "viewer";
                            permissions: string[];
                            twoFactorEnabled: boolean;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/users/{id}/sign-in-lock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The user's failed sign-ins and sign-in lock */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Failed sign-ins in a row */
                            failures: number;
                            locked: boolean;
                            lockedUntil: string | null;
                            /** @description The next sign-in may not come before this (a growing delay, or the lock) */
                            retryAfter: string | null;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Lift the user's sign-in lock and forget its failed sign-ins */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling user's open sessions */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                /** Format: uuid */
                                id: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                createdAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                lastSeenAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                expiresAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                endsAt: string;
                                userAgent: string | null;
                                current: boolean;
                            }[];
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Sign in (a user’s e-mail and password, and a TOTP or recovery code when it has two-factor authentication): sets the session cookie */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                        otp?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            session: {
                                /** Format: uuid */
                                id: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                createdAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                lastSeenAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                expiresAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                endsAt: string;
                                userAgent: string | null;
                                current: boolean;
                            };
                            user: {
                                /** Format: uuid */
                                id: string;
                                email: string;
                                role: string;
                                permissions: string[];
                                twoFactorEnabled: boolean;
                            };
                            /** @description Send it back in X-CSRF-Token on every change made with this session */
                            csrfToken: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling session, its user and its CSRF token */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            session: {
                                /** Format: uuid */
                                id: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                createdAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                lastSeenAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                expiresAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                endsAt: string;
                                userAgent: string | null;
                                current: boolean;
                            };
                            user: {
                                /** Format: uuid */
                                id: string;
                                email: string;
                                role: string;
                                permissions: string[];
                                twoFactorEnabled: boolean;
                            };
                            /** @description Send it back in X-CSRF-Token on every change made with this session */
                            csrfToken: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** End one of your sessions (`current`: sign out, clearing the cookie) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string | "current";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change the account's settings */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        requireTwoFactor?: boolean;
                        ratelimits?: {
                            /** @description Unique on its owner; a verify names it in `ratelimits` */
                            name: string;
                            /** @description Units per window */
                            limit: number;
                            /** @description Window length, milliseconds (windows are aligned to the epoch) */
                            duration: number;
                            /** @description Default false: checked only when a verify names it */
                            autoApply?: boolean;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            /** @description Every user must have two-factor authentication; one without it may only set it up */
                            requireTwoFactor: boolean;
                            ratelimits: {
                                /** @description Unique on its owner; a verify names it in `ratelimits` */
                                name: string;
                                /** @description Units per window */
                                limit: number;
                                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                                duration: number;
                                /** @description Checked on every verify; otherwise only when the verify names it */
                                autoApply: boolean;
                            }[];
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/ratelimit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Spend `cost` (default 1) of an identifier's limit: success is false, and nothing is spent, when the window has no room left
         * @description The namespace’s override for the identifier, when there is one, replaces the limit and duration the request names.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Groups identifiers and their overrides, e.g. `email.send` */
                        namespace: string;
                        /** @description What is limited within the namespace, e.g. a user id or an address */
                        identifier: string;
                        /** @description Units per window */
                        limit: number;
                        /** @description Window length, milliseconds (windows are aligned to the epoch) */
                        duration: number;
                        /** @description Default 1; 0 only reads the limit */
                        cost?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            success: boolean;
                            limit: number;
                            remaining: number;
                            /** @description When the window ends, epoch milliseconds */
                            reset: number;
                            /** @description The namespace's override for this identifier applied */
                            overridden: boolean;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ratelimit/namespaces/{namespace}/overrides": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A namespace's overrides */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Groups identifiers and their overrides, e.g. `email.send` */
                    namespace: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                namespace: string;
                                identifier: string;
                                limit: number;
                                duration: number;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                createdAt: string;
                                /**
                                 * Format: date-time
                                 * @description RFC 3339, UTC
                                 */
                                updatedAt: string;
                            }[];
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ratelimit/namespaces/{namespace}/overrides/{identifier}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set the identifier's limit in the namespace (replacing the one requests name) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Groups identifiers and their overrides, e.g. `email.send` */
                    namespace: string;
                    /** @description What is limited within the namespace, e.g. a user id or an address */
                    identifier: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Units per window */
                        limit: number;
                        /** @description Window length, milliseconds (windows are aligned to the epoch) */
                        duration: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            namespace: string;
                            identifier: string;
                            limit: number;
                            duration: number;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description RFC 3339, UTC
                             */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        post?: never;
        /** Remove the identifier's override */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Groups identifiers and their overrides, e.g. `email.send` */
                    namespace: string;
                    /** @description What is limited within the namespace, e.g. a user id or an address */
                    identifier: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Client error (RFC 9457) */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
                /** @description Server error (RFC 9457) */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            instance?: string;
                            errors?: {
                                field: string;
                                message: string;
                                rule?: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Client: {
            /** Format: uuid */
            id: string;
            name: string;
            description: string | null;
            siret: string | null;
            username: string | null;
            emailAddress: string | null;
            firstName: string | null;
            lastName: string | null;
            company: string | null;
            hasPassword: boolean;
            isActive: boolean;
            /** @description Feature switches */
            features: {
                [key: string]: boolean;
            };
            /** @description Limits; -1 = unlimited */
            limits: {
                [key: string]: number;
            };
            /** @description Small JSON object (≤ 8 KiB) */
            metadata: {
                [key: string]: unknown;
            };
            ratelimits: {
                /** @description Unique on its owner; a verify names it in `ratelimits` */
                name: string;
                /** @description Units per window */
                limit: number;
                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                duration: number;
                /** @description Checked on every verify; otherwise only when the verify names it */
                autoApply: boolean;
            }[];
            /**
             * Format: date-time
             * @description RFC 3339, UTC
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description RFC 3339, UTC
             */
            updatedAt: string;
        };
        /** @description RFC 9457 problem details */
        Problem: {
            type: string;
            title: string;
            status: number;
            detail: string;
            code: string;
            instance?: string;
            errors?: {
                field: string;
                message: string;
                rule?: string;
            }[];
        };
        ApiKey: {
            keyId: string;
            name: string | null;
            clientId: string | null;
            isPrimary: boolean;
            enabled: boolean;
            /** @description The platform's application scopes, returned by verify */
            scopes: string[];
            /** @description Management permissions of an account key (empty for a client's key) */
            permissions: string[];
            ratelimits: {
                /** @description Unique on its owner; a verify names it in `ratelimits` */
                name: string;
                /** @description Units per window */
                limit: number;
                /** @description Window length, milliseconds (windows are aligned to the epoch) */
                duration: number;
                /** @description Checked on every verify; otherwise only when the verify names it */
                autoApply: boolean;
            }[];
            /** @description Last characters of the secret, for recognising a key */
            hint: string;
            expiresAt: string | null;
            lastUsedAt: string | null;
            /**
             * Format: date-time
             * @description RFC 3339, UTC
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description RFC 3339, UTC
             */
            updatedAt: string;
        };
        Event: {
            /** Format: uuid */
            id: string;
            type: string;
            clientId: string | null;
            actor: {
                type: string;
                id: string;
            };
            data: {
                [key: string]: unknown;
            };
            /**
             * Format: date-time
             * @description RFC 3339, UTC
             */
            createdAt: string;
        };
        User: {
            /** Format: uuid */
            id: string;
            email: string;
            /** @description owner: everything; admin: everything but users and account settings; viewer: every :read */
            role: "owner" | "admin" | "viewer";
            permissions: string[];
            twoFactorEnabled: boolean;
            /**
             * Format: date-time
             * @description RFC 3339, UTC
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description RFC 3339, UTC
             */
            updatedAt: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
