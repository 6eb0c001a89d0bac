;;; emacs_probe.el --- drives batch Emacs for tests/editors/test_emacs.py  -*- lexical-binding: t; -*-

;; Loads editors/emacs/cinefile-eglot.el, opens a block, waits (polling, with a deadline) for eglot
;; to connect and for flymake to show the server's diagnostics, asks for completion in a new
;; `dependencies:' entry, and writes what it saw as JSON.
;; Environment: CINEFILE_PROBE_FILE, CINEFILE_PROBE_OUT, CINEFILE_PROBE_TIMEOUT (seconds),
;; CINEFILE_PROBE_WAIT_FOR (text a diagnostic must contain), CINEFILE_EMACS_CONFIG (the folder
;; holding cinefile-eglot.el).

(require 'json)
(package-initialize)
(add-to-list 'load-path (getenv "CINEFILE_EMACS_CONFIG"))
(require 'markdown-mode)
(require 'cinefile-eglot)

(defvar probe-seen nil)
(defvar probe-timeout (string-to-number (or (getenv "CINEFILE_PROBE_TIMEOUT") "20")))

(defun probe-note (key value)
  (push (cons key value) probe-seen))

(defun probe-bool (value)
  "VALUE as JSON true or false (json-encode writes nil as null)."
  (if value t :json-false))

(defun probe-wait (predicate)
  "Poll PREDICATE while serving the server's messages, until it holds or the deadline passes."
  (let ((deadline (+ (float-time) probe-timeout)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      ;; eglot-ensure starts the server from post-command-hook, which batch mode never runs.
      (run-hooks 'post-command-hook)
      (accept-process-output nil 0.02))
    (and (funcall predicate) t)))

(defun probe-diagnostics ()
  (mapcar (lambda (d)
            (list (cons 'line (1- (line-number-at-pos (flymake-diagnostic-beg d))))
                  (cons 'type (symbol-name (flymake-diagnostic-type d)))
                  (cons 'message (flymake-diagnostic-text d))))
          (flymake-diagnostics)))

(defun probe-completion-labels ()
  "Completion labels in a new, empty entry after the last item of `dependencies:'."
  (goto-char (point-min))
  (re-search-forward "^dependencies:[ \t]*$")
  (forward-line 1)
  (while (looking-at "^[ \t]+- ") (forward-line 1))
  (insert "  - \n")
  (forward-line -1)
  (end-of-line)
  (eglot--signal-textDocument/didChange)
  (let* ((result (jsonrpc-request (eglot-current-server) :textDocument/completion
                                  (eglot--TextDocumentPositionParams)))
         (items (if (vectorp result) result (plist-get result :items))))
    (mapcar (lambda (item) (plist-get item :label)) items)))

(condition-case err
    (progn
      (find-file (getenv "CINEFILE_PROBE_FILE"))
      (probe-note 'mode (symbol-name major-mode))
      (run-hooks 'post-command-hook)
      ;; eglot makes the server's process at once, so whether one started is known now.
      (probe-note 'started (probe-bool (seq-some (lambda (p) (string-prefix-p "EGLOT" (process-name p))) (process-list))))
      (probe-note 'connected (probe-bool (and (eq (cdr (assq 'started probe-seen)) t)
                                              (probe-wait (lambda () (eglot-current-server))))))
      (when (eglot-current-server)
        (probe-note 'root (expand-file-name (project-root (eglot--project (eglot-current-server)))))
        (let ((wanted (or (getenv "CINEFILE_PROBE_WAIT_FOR") "")))
          (probe-note 'diagnostics_arrived
                      (probe-bool (probe-wait (lambda ()
                                    (seq-some (lambda (d) (string-search wanted (cdr (assq 'message d))))
                                              (probe-diagnostics)))))))
        (probe-note 'diagnostics (vconcat (probe-diagnostics)))
        (probe-note 'completion (vconcat (probe-completion-labels)))))
  (error (probe-note 'error (error-message-string err))))

(with-temp-file (getenv "CINEFILE_PROBE_OUT")
  (insert (json-encode probe-seen)))
(kill-emacs 0)
