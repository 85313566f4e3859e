/** The d3 v7 bundle is loaded by a classic script tag (vendor/d3.min.js); modules import it here. */
const d3 = /** @type {any} */ (globalThis).d3;
if (!d3) throw new Error('d3 did not load: vendor/d3.min.js must be included before the modules');
export default d3;
