;;; cinefile-eglot.el --- cinefile lsp in Emacs through eglot  -*- lexical-binding: t; -*-

;; Install: needs Emacs 29 or later (eglot is built in) and the `markdown-mode' package.
;; Put this file on your `load-path' and add (require 'cinefile-eglot) to your init file,
;; or paste its forms there.  Markdown files inside a folder holding cinefile.toml then start
;; `cinefile lsp'; other Markdown files are left alone.
;;
;; API keys come from the environment Emacs was started in (OPENROUTER_API_KEY,
;; REPLICATE_API_TOKEN); without them the server generates in mock mode.

;;; Code:

(require 'eglot)
(require 'project)

(defgroup cinefile nil
  "Make a film with AI help, in plain Markdown files."
  :group 'tools)

(defcustom cinefile-server-command '("cinefile" "lsp")
  "The command that starts the cinefile language server."
  :type '(repeat string))

(defcustom cinefile-mode nil
  "Generation mode sent to the server: \"draft\", \"final\", or nil to follow cinefile.toml."
  :type '(choice (const nil) (const "draft") (const "final")))

(defun cinefile-project-root (dir)
  "The folder holding cinefile.toml at or above DIR, as a project.el project."
  (when-let ((root (locate-dominating-file dir "cinefile.toml")))
    (cons 'transient (expand-file-name root))))

;; The project root is the folder of cinefile.toml, even inside a larger git repository.
(add-hook 'project-find-functions #'cinefile-project-root)

(add-to-list 'eglot-server-programs
             `((markdown-mode gfm-mode)
               . ,(lambda (&optional _interactive)
                    (append cinefile-server-command
                            (when cinefile-mode
                              (list :initializationOptions (list :mode cinefile-mode)))))))

(defun cinefile-eglot-maybe ()
  "Start eglot when this buffer's file is inside a cinefile project."
  (when (and buffer-file-name (locate-dominating-file buffer-file-name "cinefile.toml"))
    (eglot-ensure)))

(add-hook 'markdown-mode-hook #'cinefile-eglot-maybe)
(add-hook 'gfm-mode-hook #'cinefile-eglot-maybe)

(provide 'cinefile-eglot)
;;; cinefile-eglot.el ends here
