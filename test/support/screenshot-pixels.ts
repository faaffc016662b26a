// What a screenshot really shows at an element: the PNG is decoded by Chromium itself (a blank tab, a
// canvas), so a test can tell a button captured in its disabled colours from one captured enabled.
import { readFileSync } from "node:fs";
import { type Page } from "puppeteer-core";

/** The colour ("rgb(r, g, b)") the PNG holds a few pixels inside the element's left edge, at half its height. */
export async function capturedColour(page: Page, png: string, selector: string): Promise<string> {
  const at = await page.$eval(selector, (e) => {
    const r = e.getBoundingClientRect();
    return { x: Math.round(r.x + 6), y: Math.round(r.y + r.height / 2) };
  });
  const src = `data:image/png;base64,${readFileSync(png).toString("base64")}`;
  const blank = await page.browser().newPage();
  try {
    return await blank.evaluate(
      async (src, x, y) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext("2d")!;
        ctx.drawImage(img, 0, 0);
        const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
        return `rgb(${r}, ${g}, ${b})`;
      },
      src,
      at.x,
      at.y,
    );
  } finally {
    await blank.close();
  }
}
