/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the API lives when the app is hosted elsewhere; empty means the app's own origin. */
  readonly VITE_API_BASE_URL?: string;
}
