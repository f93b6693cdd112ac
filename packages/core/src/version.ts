/** The version reported in the OpenAPI document. */
export const PORTCULLIS_VERSION = '0.1.0';
