/**
 * Exports: a chart's <svg> as an SVG file (serialised as is: every chart embeds its own style
 * sheet) or as a PNG (the SVG drawn onto a canvas at twice its size), and plain downloads.
 */

/** @param {SVGSVGElement} svg */
export function svgText(svg) {
  const clone = /** @type {SVGSVGElement} */ (svg.cloneNode(true));
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  const vb = svg.viewBox.baseVal;
  if (vb && vb.width > 0) {
    clone.setAttribute('width', String(vb.width));
    clone.setAttribute('height', String(vb.height));
  }
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
}

/** Starts a download of `blob` under `name`. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** @param {SVGSVGElement} svg @param {string} name */
export function downloadSvg(svg, name) {
  download(new Blob([svgText(svg)], { type: 'image/svg+xml' }), name.endsWith('.svg') ? name : name + '.svg');
}

/**
 * Renders the SVG to a PNG blob through an <img> and a canvas.
 * @param {SVGSVGElement} svg
 * @param {number} [scale]
 * @returns {Promise<Blob>}
 */
export function svgToPng(svg, scale = 2) {
  const vb = svg.viewBox.baseVal;
  const w = vb && vb.width > 0 ? vb.width : svg.clientWidth;
  const h = vb && vb.height > 0 ? vb.height : svg.clientHeight;
  const url = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml;charset=utf-8' }));
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      const ctx = canvas.getContext('2d');
      if (!ctx) {
        URL.revokeObjectURL(url);
        reject(new Error('no 2d canvas context'));
        return;
      }
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png');
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('the SVG could not be drawn as an image'));
    };
    img.src = url;
  });
}

/** @param {SVGSVGElement} svg @param {string} name */
export async function downloadPng(svg, name) {
  const blob = await svgToPng(svg);
  download(blob, name.endsWith('.png') ? name : name + '.png');
}
