// LiveCue product card for an OBS browser source. Reads only /overlay/stream (full state on connect, then changes);
// every text goes in with textContent, so a title like <script> shows as text. Reconnects with backoff forever.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const card = $('card');
  let shownId = null;
  let stockAtPin = null;
  let hideTimer = null;

  const yuan = (fen) => {
    const cents = fen % 100;
    const whole = Math.floor(fen / 100);
    return '¥' + (cents === 0 ? String(whole) : whole + '.' + String(cents).padStart(2, '0').replace(/0$/, ''));
  };

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
    const live = p.livePrice ?? p.price;
    $('live-price').textContent = yuan(live);
    const orig = $('original-price');
    orig.textContent = p.livePrice !== null && p.livePrice < p.price ? yuan(p.price) : '';
    const coupon = $('coupon');
    coupon.textContent = p.coupon || '';
    coupon.hidden = !p.coupon;
    const img = $('image');
    if (p.imageUrl && (/^https?:\/\//i.test(p.imageUrl) || /^\/images\/[0-9a-f]{64}\.(jpg|png|webp|gif)$/.test(p.imageUrl))) {
      if (img.getAttribute('src') !== p.imageUrl) img.src = p.imageUrl;
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
    const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/overlay/stream');
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
