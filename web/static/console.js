// The query console: Ctrl+Enter (or Cmd+Enter) in a text area runs the query.
(function () {
  'use strict';
  document.querySelectorAll('.console-form textarea').forEach(function (area) {
    area.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        var button = area.form.querySelector('button[type=submit][value=html]') || area.form.querySelector('button[type=submit]');
        if (area.form.requestSubmit) { area.form.requestSubmit(button); } else { button.click(); }
      }
    });
  });
})();
