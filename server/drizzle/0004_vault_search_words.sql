-- Vault search by file-name word and prefix: the file name now enters the search text split at
-- every ASCII punctuation character (extension included), as asset.repository.ts writes it.
UPDATE "assets" SET "search_text" = concat_ws(' ',
  nullif("prompt", ''), nullif("caption", ''), nullif(array_to_string("tags", ' '), ''),
  nullif(translate("original_name", '!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', '                                '), ''));
