// Follows Cockpit's theme setting (localStorage "shell:style": auto | light | dark, shared with the
// shell) and the OS preference, by toggling the pf-v6-theme-dark class as Cockpit's pages do.
export function followCockpitTheme(): void {
  const media = window.matchMedia?.("(prefers-color-scheme: dark)");
  const apply = () => {
    let style: string | null = null;
    try {
      style = window.localStorage.getItem("shell:style");
    } catch {
      style = null;
    }
    const dark = style === "dark" || ((style === null || style === "auto") && !!media?.matches);
    document.documentElement.classList.toggle("pf-v6-theme-dark", dark);
  };
  apply();
  window.addEventListener("storage", (e) => {
    if (e.key === "shell:style") apply();
  });
  // The shell announces changes to its frames with a "cockpit-style" event.
  window.addEventListener("cockpit-style", apply);
  media?.addEventListener?.("change", apply);
}
