// LiveCue product card for an OBS browser source. Reads only /overlay/stream (full state on connect, then changes);
// every text goes in with textContent, so a title like <script> shows as text. Reconnects with backoff forever.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const card = $('card');
  let shownId = null;
  let stockAtPin = null;
  let hideTimer = null;

  function render(state) {
    if (!state) {
      shownId = null;
      card.classList.remove('in');
      clearTimeout(hideTimer);
      hideTimer = setTimeout(() => { if (shownId === null) card.hidden = true; }, 450);
      card.dataset.state = 'out';
      return;
    }
    const p = state.product;
    const isNew = shownId !== p.id;
    if (isNew) stockAtPin = p.stock;
    shownId = p.id;
    $('title').textContent = p.title;
    // price texts come formatted by the core (shared/present.ts priceDisplay), the same as on every other view
    $('live-price').textContent = state.display.price;
    const orig = $('original-price');
    orig.textContent = state.display.originalPrice || '';
    const coupon = $('coupon');
    coupon.textContent = p.coupon || '';
    coupon.hidden = !p.coupon;
    const img = $('image');
    if (p.imageUrl && /^\/images\/[0-9a-f]{64}\.(jpg|png|webp|gif)$/.test(p.imageUrl)) {
      // #13: an image uploaded into the data folder, served by the core
      if (img.getAttribute('src') !== p.imageUrl) img.src = p.imageUrl;
    } else if (p.imageUrl && /^https?:\/\//i.test(p.imageUrl)) {
      // #11: a 微信小店 product's picture was downloaded into the data folder; the core serves it, else the URL itself
      const local = '/media/products/' + p.id;
      if (isNew || (img.getAttribute('src') !== local && img.getAttribute('src') !== p.imageUrl)) {
        img.onerror = () => {
          img.onerror = null;
          img.src = p.imageUrl;
        };
        img.src = local;
      }
      img.hidden = false;
    } else {
      img.removeAttribute('src');
      img.hidden = true;
    }
    const stock = $('stock');
    stock.hidden = p.stock === null;
    if (p.stock !== null) {
      const base = Math.max(stockAtPin ?? p.stock, p.stock, 1);
      $('stock-fill').style.width = Math.round((p.stock / base) * 100) + '%';
      $('stock-text').textContent = p.stock > 0 ? '仅剩 ' + p.stock + ' 件' : '已售罄';
    }
    clearTimeout(hideTimer);
    card.dataset.state = 'in';
    card.dataset.productId = String(p.id);
    if (isNew || card.hidden) {
      card.classList.remove('in');
      card.hidden = false;
      void card.offsetWidth; // restart the slide-in
    }
    card.classList.add('in');
  }

  let attempt = 0;
  function connect() {
    // the display token this page was opened with (the browser source URL carries it) opens the stream
    const token = new URLSearchParams(location.search).get('token') || '';
    const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/overlay/stream?token=' + encodeURIComponent(token));
    ws.onopen = () => { attempt = 0; };
    ws.onmessage = (m) => {
      let msg;
      try { msg = JSON.parse(m.data); } catch { return; }
      if (msg && msg.type === 'overlay') render(msg.state);
    };
    ws.onclose = () => {
      const delay = Math.min(5000, 250 * 2 ** attempt++) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }
  connect();
})();
