/** `html` tagged templates over Preact (htm: no JSX, no compile step of our own). */
export { html } from "htm/preact";
