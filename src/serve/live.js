// versus serve: live reload. Injected into pages by the preview server only, never by `build`.
(() => {
  const KEY = "versus-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    sessionStorage.removeItem(KEY);
    const [x, y] = saved.split(",").map(Number);
    const restore = () => window.scrollTo(x, y);
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore);
  }

  let overlay = null;
  function showErrors(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "versus-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,20,.94);color:#ffd7d7;font:14px/1.5 ui-monospace,monospace";
      const title = document.createElement("h2");
      title.textContent = "versus: the site does not build";
      title.style.cssText = "color:#ff8a8a;font:bold 18px system-ui,sans-serif;margin:0 0 1rem";
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      overlay.append(title, pre);
      document.documentElement.append(overlay);
    }
    overlay.querySelector("pre").textContent = text;
  }

  // `versus check` after each rebuild: a small corner badge, announced politely.
  let badge = null;
  function showCheck(text) {
    if (!badge) {
      badge = document.createElement("div");
      badge.id = "versus-check";
      badge.setAttribute("role", "status");
      badge.style.cssText =
        "position:fixed;right:.75rem;bottom:.75rem;z-index:2147483646;padding:.3rem .6rem;" +
        "border-radius:.4rem;font:12px/1.4 system-ui,sans-serif;background:#222;color:#fff;opacity:.85";
      document.documentElement.append(badge);
    }
    badge.textContent = text;
  }

  // Set once the page goes to where its post moved: no reload may bring the old URL back.
  let leaving = false;
  function reload() {
    if (leaving) return;
    sessionStorage.setItem(KEY, window.scrollX + "," + window.scrollY);
    location.reload();
  }

  function swapStylesheets() {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("versus", Date.now());
      link.href = url.href;
    }
  }

  let source = null;
  // The build this page was served from.
  let generation = new URL(document.currentScript.src).searchParams.get("build");
  function connect() {
    if (source) return;
    // The page it shows: a rebuild renders it first, and reloads it before the rest is done.
    source = new EventSource("/__versus/events?page=" + encodeURIComponent(location.pathname));
    // The build generation: a tab that reconnects after a rebuild it missed reloads.
    source.addEventListener("hello", (event) => {
      if (generation !== null && event.data !== generation) reload();
      generation = event.data;
    });
    source.addEventListener("reload", reload);
    // The post this page shows has another URL now (a new date or file name).
    source.addEventListener("moved", (event) => {
      leaving = true;
      location.replace(event.data);
    });
    source.addEventListener("css", () => {
      if (overlay) reload();
      else swapStylesheets();
    });
    source.addEventListener("build-error", (event) => showErrors(event.data));
    source.addEventListener("check", (event) => showCheck(event.data));
    source.addEventListener("build-ok", () => {
      if (overlay) reload();
    });
    // The end of every successful rebuild: a fix whose pages come out as they were before
    // the error changes no output, so no reload comes, yet the overlay must go.
    source.addEventListener("settled", () => {
      if (overlay) reload();
    });
  }
  // Browsers allow ~6 connections per host: hidden tabs let go of theirs.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && source) {
      source.close();
      source = null;
    } else if (!document.hidden) {
      connect();
    }
  });
  connect();
})();
